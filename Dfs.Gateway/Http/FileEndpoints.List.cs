using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Dfs.Client.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Dfs.Gateway.Http;

public static partial class FileEndpoints
{
    /// <summary>Most files one listing page returns.</summary>
    public const int MaxListLimit = 10_000;

    private static async Task<IResult> ListAsync(IMetadataService metadata, [FromQuery] string? prefix, [FromQuery] string? limit,
        [FromQuery] string? cursor, CancellationToken cancellationToken)
    {
        prefix ??= "/";
        if (prefix.Length == 0 || prefix[0] != '/')
        {
            throw ApiProblemException.InvalidArgument($"prefix starts with '/' (such as /dir/), not '{Shorten(prefix)}'.");
        }
        var count = ParseLimit(limit);
        var after = DecodeCursor(cursor);
        var slash = prefix.LastIndexOf('/');
        var directory = slash == 0 ? "/" : prefix[..slash];
        var namePrefix = prefix[(slash + 1)..];
        if (directory != "/")
        {
            MetadataPath.Parse(directory);
        }

        var found = new List<MetadataEntryAt>(count + 1);
        try
        {
            await new PathOrderWalk(metadata, after, count + 1, found).WalkAsync(directory, namePrefix, cancellationToken);
        }
        catch (MetadataException e) when (e.Code is MetadataErrorCode.NotFound or MetadataErrorCode.NotADirectory)
        {
            // No directory there: no file has the prefix.
        }
        var more = found.Count > count;
        var page = found.Take(count).ToArray();
        var etags = await Task.WhenAll(page.Select(f => EtagOfAsync(metadata, f.Path, cancellationToken)));
        var items = page.Select((f, i) => new FileItemJson(f.Path, f.Entry.Size, f.Entry.Version, ApiTime.Iso(f.Entry.ModifiedMs), etags[i])).ToArray();
        return TypedResults.Ok(new FilePageJson(items, more ? EncodeCursor(page[^1].Path) : null));
    }

    private static int ParseLimit(string? limit)
    {
        if (limit is null)
        {
            return 1000;
        }
        return int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= MaxListLimit
            ? value
            : throw ApiProblemException.InvalidArgument($"limit is a whole number from 1 to {MaxListLimit}, not '{Shorten(limit)}'.");
    }

    private static string EncodeCursor(string path) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(path));

    private static string? DecodeCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }
        try
        {
            var path = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            if (path.StartsWith('/'))
            {
                return path;
            }
        }
        catch (FormatException)
        {
        }
        throw ApiProblemException.InvalidArgument("cursor is not one this listing handed out: pass the 'next' of the previous page.");
    }

    /// <summary>The ETag of a listed file's current version (null if it went away meanwhile).</summary>
    private static async Task<string?> EtagOfAsync(IMetadataService metadata, string path, CancellationToken cancellationToken)
    {
        try
        {
            var versions = await metadata.ListVersionsAsync(path, cancellationToken);
            return versions.Count > 0 ? ETags.From(versions[0].Checksum) : null;
        }
        catch (MetadataException)
        {
            return null;
        }
    }

    private sealed record MetadataEntryAt(string Path, MetadataEntry Entry);

    /// <summary>
    /// A depth-first walk that yields files in path order (UTF-8 byte order of whole paths): within a directory, a
    /// subdirectory <c>d</c> sorts as <c>d/</c>, so its files come after siblings such as <c>d.txt</c> and before <c>d0</c>.
    /// </summary>
    private sealed class PathOrderWalk(IMetadataService metadata, string? after, int want, List<MetadataEntryAt> found)
    {
        private const int PageSize = 1000;

        public async Task WalkAsync(string directory, string namePrefix, CancellationToken cancellationToken)
        {
            var basePath = directory == "/" ? "/" : directory + "/";
            // Deferred subdirectories, waiting for the siblings that sort before "name/".
            var pending = new List<string>();
            string? startAfter = null;
            while (found.Count < want)
            {
                var page = await metadata.ListAsync(directory, startAfter, PageSize, cancellationToken);
                foreach (var entry in page.Entries)
                {
                    if (!entry.Name.StartsWith(namePrefix, StringComparison.Ordinal))
                    {
                        if (string.CompareOrdinal(entry.Name, namePrefix) > 0)
                        {
                            // Names are ordered: none later has the prefix. Flush what is deferred and stop.
                            await FlushAsync(basePath, pending, null, cancellationToken);
                            return;
                        }
                        continue;
                    }
                    await FlushAsync(basePath, pending, entry.Name, cancellationToken);
                    if (found.Count >= want)
                    {
                        return;
                    }
                    var path = basePath + entry.Name;
                    if (entry.Kind == EntryKind.Directory)
                    {
                        pending.Add(entry.Name);
                    }
                    else if (after is null || Utf8Compare(path, after) > 0)
                    {
                        found.Add(new MetadataEntryAt(path, entry));
                    }
                }
                if (!page.More || page.Entries.Count == 0)
                {
                    break;
                }
                startAfter = page.Entries[^1].Name;
            }
            await FlushAsync(basePath, pending, null, cancellationToken);
        }

        /// <summary>Walks the deferred subdirectories whose "name/" sorts before <paramref name="next"/> (all of them when null).</summary>
        private async Task FlushAsync(string basePath, List<string> pending, string? next, CancellationToken cancellationToken)
        {
            while (pending.Count > 0 && found.Count < want && (next is null || Utf8Compare(pending[0] + "/", next) < 0))
            {
                var name = pending[0];
                pending.RemoveAt(0);
                var subtree = basePath + name + "/";
                // A subtree wholly at or before the cursor is skipped without listing it.
                if (after is not null && Utf8Compare(subtree, after) < 0 && !after.StartsWith(subtree, StringComparison.Ordinal))
                {
                    continue;
                }
                await WalkAsync(basePath + name, "", cancellationToken);
            }
        }

        private static int Utf8Compare(string a, string b)
        {
            // UTF-16 ordinal order equals UTF-8 byte order except around surrogates; compare bytes to be exact.
            var x = Encoding.UTF8.GetBytes(a);
            var y = Encoding.UTF8.GetBytes(b);
            return x.AsSpan().SequenceCompareTo(y);
        }
    }
}
