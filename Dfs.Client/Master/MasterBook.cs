using System.Text;
using System.Text.Json;
using Dfs.Common.Configuration;

namespace Dfs.Client.Master;

/// <summary>
/// Where every current master listens, as the leader keeps it in the replicated store under <see cref="Key"/> when an
/// operator adds or removes a master: the masters dial a new member from it, and clients and chunk servers follow it
/// instead of the list config.json gave them at start.
/// </summary>
/// <remarks>Absent until the first membership change: config.json's masters are the group until then.</remarks>
public static class MasterBook
{
    /// <summary>The store key of the book: an ASCII letter no other schema uses, then a name.</summary>
    public static readonly byte[] Key = "M/masters"u8.ToArray();

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
    };

    /// <summary>The book as the value stored under <see cref="Key"/>: a JSON array of masters.</summary>
    public static byte[] Encode(IReadOnlyList<MasterNodeConfig> masters)
    {
        ArgumentNullException.ThrowIfNull(masters);
        return JsonSerializer.SerializeToUtf8Bytes(masters, JsonOptions);
    }

    /// <summary>Reads a stored book.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a book.</exception>
    public static IReadOnlyList<MasterNodeConfig> Decode(ReadOnlySpan<byte> value)
    {
        try
        {
            var masters = JsonSerializer.Deserialize<MasterNodeConfig[]>(value, JsonOptions);
            if (masters is null || masters.Any(m => string.IsNullOrWhiteSpace(m.Id) || string.IsNullOrWhiteSpace(m.Host)))
            {
                throw new InvalidDataException("The master book lists a master without an id or host.");
            }
            return masters;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The master book is not valid JSON: {e.Message} ({Encoding.UTF8.GetString(value[..Math.Min(value.Length, 64)])}).", e);
        }
    }
}
