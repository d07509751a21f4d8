namespace ImagingCommons.Data.Accounts;

/// <summary>Emails are identities: compared and stored trimmed and lower-cased.</summary>
public static class Emails
{
    public const int MaxLength = 254;

    public static string Normalize(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        return email.Trim().ToLowerInvariant();
    }

    /// <summary>A plausible address: one '@' with text on both sides, no spaces or control characters, at most 254 characters.</summary>
    public static bool IsPlausible(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return false;
        }

        var normalized = Normalize(email);
        var at = normalized.IndexOf('@', StringComparison.Ordinal);
        return normalized.Length <= MaxLength
            && at > 0
            && at == normalized.LastIndexOf('@')
            && at < normalized.Length - 1
            && !normalized.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));
    }
}
