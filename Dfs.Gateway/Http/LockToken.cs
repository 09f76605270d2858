using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Dfs.Gateway.Http;

/// <summary>The opaque token a lock answer hands out: the owner and the lease that keeps the hold, base64url-encoded.</summary>
public readonly record struct LockToken(string Owner, long LeaseId)
{
    /// <summary>The header that carries a token on writes, renewals and releases.</summary>
    public const string Header = "X-Dfs-Lock-Token";

    public override string ToString() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{LeaseId}:{Owner}")));

    /// <summary>The token in <paramref name="text"/>, or null when none was given.</summary>
    /// <exception cref="ApiProblemException">400 when the header is not a token this gateway handed out.</exception>
    public static LockToken? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        try
        {
            var decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && long.TryParse(decoded.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var lease) && colon + 1 < decoded.Length)
            {
                return new LockToken(decoded[(colon + 1)..], lease);
            }
        }
        catch (FormatException)
        {
        }
        throw ApiProblemException.InvalidArgument($"{Header} is not a lock token: pass the token a POST /api/locks/{{path}} answered.");
    }
}
