using System.Text.Json;
using System.Text.Json.Serialization;
using Dfs.Testing.Linearizability;

namespace Dfs.Testing.Nemesis;

/// <summary>One client operation of a nemesis run, one JSON line of the history file.</summary>
/// <remarks>
/// Times are <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> values: on Linux the system-wide monotonic
/// clock, so lines written by different processes (the workload, its final read-back, the test's fault log) compare.
/// </remarks>
/// <param name="Client">The client that issued it.</param>
/// <param name="Op">write, read, delete, rename, lock or unlock.</param>
/// <param name="Pair">The pair of paths (see <see cref="FilePairModel"/>).</param>
/// <param name="Side">Which path of the pair (a rename's source).</param>
/// <param name="Value">A write's content hash, or a read's (null: absent).</param>
/// <param name="Start">When the request was sent.</param>
/// <param name="End">When the answer came, or null when it never came (outcome unknown).</param>
/// <param name="Result">ok, absent (read or delete/rename source not found), fail (definitely no effect) or unknown.</param>
/// <param name="Status">The HTTP status, when one came.</param>
/// <param name="Error">What went wrong, for reading.</param>
public sealed record HistoryLine(
    int Client,
    string Op,
    int Pair,
    int Side,
    string? Value,
    long Start,
    long? End,
    string Result,
    int? Status = null,
    string? Error = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The line's JSON text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Every line of a history file (blank lines skipped).</summary>
    public static IReadOnlyList<HistoryLine> ReadAll(string path) =>
        [.. File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<HistoryLine>(l, Json)!)];

    /// <summary>
    /// This line as an operation of <see cref="FilePairModel"/>, or null when it says nothing about contents
    /// (locks, and requests that definitely failed, which had no effect).
    /// </summary>
    public Operation<FileInput, FileOutput>? ToOperation()
    {
        var kind = Op switch
        {
            "write" => FileOperationKind.Write,
            "read" => FileOperationKind.Read,
            "delete" => FileOperationKind.Delete,
            "rename" => FileOperationKind.Rename,
            _ => (FileOperationKind?)null,
        };
        if (kind is not { } k || Result == "fail")
        {
            return null;
        }

        var input = new FileInput(k, Pair, Side, k == FileOperationKind.Write ? Value : null);
        if (Result == "unknown" || End is null)
        {
            // A read whose answer never came tells nothing and changes nothing.
            return k == FileOperationKind.Read ? null : Operation<FileInput, FileOutput>.Indeterminate(Client, input, FileOutput.Unknown, Start);
        }

        var output = k switch
        {
            FileOperationKind.Write => FileOutput.Written,
            FileOperationKind.Read => FileOutput.Read(Result == "absent" ? null : Value),
            _ => FileOutput.Done(Result != "absent"),
        };
        return new Operation<FileInput, FileOutput>(Client, input, output, Start, End.Value);
    }
}
