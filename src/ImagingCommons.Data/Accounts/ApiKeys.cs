using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace ImagingCommons.Data.Accounts;

/// <summary>
/// API keys look like <c>ick_&lt;id&gt;_&lt;secret&gt;</c>: a 12-hex-digit public id (to list and revoke a key) and
/// 32 random bytes as URL-safe base64. The store keeps only the SHA-256 of the whole key: with 256 random bits a fast
/// hash is enough, and a leaked database does not yield usable keys.
/// </summary>
public static class ApiKeys
{
    public const string Prefix = "ick_";

    private const int IdLength = 12;
    private const int SecretBytes = 32;
    private static readonly int SecretLength = Base64Url.GetEncodedLength(SecretBytes);

    public static IssuedApiKey Generate()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdLength / 2));
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));
        return new IssuedApiKey(id, $"{Prefix}{id}_{secret}");
    }

    /// <summary>True for text shaped like an API key (it need not be a valid one).</summary>
    public static bool LooksLikeKey(string? text) => text is not null && text.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The key's public id when the text has the exact shape of a key.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out string? id)
    {
        id = null;
        if (text is null || text.Length != Prefix.Length + IdLength + 1 + SecretLength || !LooksLikeKey(text))
        {
            return false;
        }

        var candidate = text.Substring(Prefix.Length, IdLength);
        if (!candidate.All(char.IsAsciiHexDigitLower) || text[Prefix.Length + IdLength] != '_'
            || !text.AsSpan(Prefix.Length + IdLength + 1).ContainsOnlyUrlSafeBase64())
        {
            return false;
        }

        id = candidate;
        return true;
    }

    /// <summary>The stored form of a key: lower-case hex of its SHA-256.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Compares two stored hashes in constant time.</summary>
    public static bool SameHash(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    private static bool ContainsOnlyUrlSafeBase64(this ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
