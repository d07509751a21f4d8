using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using ImagingCommons.Data.Releases;

namespace ImagingCommons.Data.Paging;

/// <summary>
/// Encodes <see cref="PageToken"/>s as opaque, URL-safe, authenticated and encrypted strings, and decodes them back.
/// </summary>
/// <remarks>
/// Wire format: URL-safe base64 without padding of
/// <c>version (1 byte) ‖ nonce (12) ‖ AES-256-GCM ciphertext ‖ tag (16)</c>;
/// the plaintext is the DEFLATE-compressed UTF-8 JSON of the payload and the version byte is bound as
/// associated data. Decoding is a pure function of the token string and the key: the same token always yields the same payload.
/// Instances are thread-safe.
/// </remarks>
public sealed class PageTokenCodec
{
    /// <summary>Relative path of the key file inside the data directory.</summary>
    internal const string KeyFileRelativePath = "keys/page-token.key";

    /// <summary>Key size in bytes (AES-256).</summary>
    internal const int KeySize = 32;

    /// <summary>Tokens longer than this (characters) are rejected before any decoding, and never produced.</summary>
    internal const int MaxTokenLength = 64 * 1024;

    /// <summary>Upper bound on the decompressed payload, so a token can never inflate into a large allocation.</summary>
    internal const int MaxPayloadBytes = 1024 * 1024;

    /// <summary>How far in the future <see cref="PageToken.IssuedAt"/> may be (clock skew between replicas).</summary>
    internal static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    internal static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(7);

    internal static readonly TimeSpan MinimumLifetime = TimeSpan.FromHours(24);

    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int Overhead = 1 + NonceSize + TagSize;

    // Shortest possible token: the overhead plus at least one byte of compressed payload.
    private static readonly int MinTokenLength = Base64Url.GetEncodedLength(Overhead + 1);

    private static readonly SearchValues<char> UrlSafeAlphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly byte[] AssociatedData = [FormatVersion];

    private readonly byte[] key;
    private readonly TimeProvider time;
    private readonly TimeSpan lifetime;

    /// <param name="key">The 32-byte AES-256 key (copied).</param>
    /// <param name="time">Clock for expiry; the system clock when null.</param>
    /// <param name="lifetime">How long a token stays valid after <see cref="PageToken.IssuedAt"/>; 7 days when null, at least 24 h.</param>
    public PageTokenCodec(byte[] key, TimeProvider? time = null, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"A page token key must be {KeySize} bytes, not {key.Length}.", nameof(key));
        }

        var effectiveLifetime = lifetime ?? DefaultLifetime;
        if (effectiveLifetime < MinimumLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), effectiveLifetime, "Page tokens must stay valid for at least 24 hours.");
        }

        this.key = (byte[])key.Clone();
        this.time = time ?? TimeProvider.System;
        this.lifetime = effectiveLifetime;
    }

    /// <summary>
    /// A codec keyed by <c>DIR/keys/page-token.key</c>, creating that file (32 random bytes, mode 0600, written atomically)
    /// if it is missing, so tokens survive restarts.
    /// </summary>
    /// <exception cref="InvalidDataException">The key file exists but does not hold exactly 32 bytes.</exception>
    public static PageTokenCodec ForDataDirectory(DataDirectory data, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new PageTokenCodec(KeyFile.LoadOrCreate(Path.Combine(data.Path, KeyFileRelativePath), KeySize, "page token key", "outstanding next_page tokens then become invalid"), time);
    }

    /// <summary>A codec from a base64 (standard or URL-safe) 32-byte key, e.g. from configuration shared by replicas.</summary>
    /// <exception cref="FormatException">The text is not base64 of exactly 32 bytes.</exception>
    public static PageTokenCodec FromBase64Key(string key, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var text = key.Trim();
        var buffer = new byte[Math.Max(Base64Url.GetMaxDecodedLength(text.Length), 1)];
        int written;
        if (!Convert.TryFromBase64String(text, buffer, out written)
            && Base64Url.DecodeFromChars(text, buffer, out _, out written) != OperationStatus.Done)
        {
            throw new FormatException("The page token key is not valid base64.");
        }

        if (written != KeySize)
        {
            throw new FormatException($"The page token key must decode to {KeySize} bytes, not {written}.");
        }

        return new PageTokenCodec(buffer[..KeySize], time);
    }

    /// <summary>Encodes a token. Encoding the same payload twice gives different strings (random nonce); both decode to it.</summary>
    /// <exception cref="ArgumentException">A field is null, the offset is negative, or the token would exceed the length limit.</exception>
    public string Encode(PageToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(token.Identity, nameof(token));
        ArgumentNullException.ThrowIfNull(token.Family, nameof(token));
        ArgumentNullException.ThrowIfNull(token.Release, nameof(token));
        ArgumentNullException.ThrowIfNull(token.Query, nameof(token));
        ArgumentOutOfRangeException.ThrowIfNegative(token.Offset, nameof(token));

        var plaintext = Compress(Serialize(token));
        if (Base64Url.GetEncodedLength(Overhead + plaintext.Length) > MaxTokenLength)
        {
            throw new ArgumentException($"The page token would be longer than {MaxTokenLength} characters; the query is too large.", nameof(token));
        }

        var sealedBytes = new byte[Overhead + plaintext.Length];
        sealedBytes[0] = FormatVersion;
        var nonce = sealedBytes.AsSpan(1, NonceSize);
        var ciphertext = sealedBytes.AsSpan(1 + NonceSize, plaintext.Length);
        var tag = sealedBytes.AsSpan(1 + NonceSize + plaintext.Length, TagSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(key, TagSize))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData);
        }

        return Base64Url.EncodeToString(sealedBytes);
    }

    /// <summary>
    /// Decodes a token issued by this key for the expected identity and endpoint family.
    /// False for garbage, truncated, tampered, expired or foreign-key tokens, or on an identity/family mismatch
    /// (compared ordinally). Never throws.
    /// </summary>
    public bool TryDecode(string? text, string expectedIdentity, string expectedFamily, [NotNullWhen(true)] out PageToken? token)
    {
        token = null;
        if (text is null || text.Length < MinTokenLength || text.Length > MaxTokenLength
            || text.AsSpan().ContainsAnyExcept(UrlSafeAlphabet))
        {
            return false;
        }

        var sealedBytes = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        if (Base64Url.DecodeFromChars(text, sealedBytes, out var consumed, out var written) != OperationStatus.Done
            || consumed != text.Length
            || written < Overhead + 1
            || sealedBytes[0] != FormatVersion
            || !IsCanonical(text, sealedBytes.AsSpan(0, written)))
        {
            return false;
        }

        var ciphertextLength = written - Overhead;
        var plaintext = new byte[ciphertextLength];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(
                sealedBytes.AsSpan(1, NonceSize),
                sealedBytes.AsSpan(1 + NonceSize, ciphertextLength),
                sealedBytes.AsSpan(1 + NonceSize + ciphertextLength, TagSize),
                plaintext,
                AssociatedData);
        }
        catch (CryptographicException)
        {
            return false; // wrong key or tampered (AuthenticationTagMismatchException derives from it)
        }

        if (!TryDeserialize(plaintext, out var payload))
        {
            return false;
        }

        var now = time.GetUtcNow();
        if (payload.IssuedAt - now > MaxClockSkew || now - payload.IssuedAt > lifetime)
        {
            return false;
        }

        if (!string.Equals(payload.Identity, expectedIdentity, StringComparison.Ordinal)
            || !string.Equals(payload.Family, expectedFamily, StringComparison.Ordinal))
        {
            return false;
        }

        token = payload;
        return true;
    }

    /// <summary>
    /// Base64 leaves unused low bits in the last character; a decoder may ignore them, so two strings could decode
    /// to the same bytes. Only the canonical spelling (what <see cref="Encode"/> produces) is accepted.
    /// </summary>
    private static bool IsCanonical(string text, ReadOnlySpan<byte> bytes)
    {
        var buffer = new char[Base64Url.GetEncodedLength(bytes.Length)];
        return Base64Url.TryEncodeToChars(bytes, buffer, out var charsWritten)
            && text.AsSpan().SequenceEqual(buffer.AsSpan(0, charsWritten));
    }

    private static byte[] Serialize(PageToken token)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + token.Query.Length);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("i", token.Identity);
            writer.WriteString("f", token.Family);
            writer.WriteString("r", token.Release);
            writer.WriteString("q", token.Query);
            writer.WriteNumber("o", token.Offset);
            writer.WriteNumber("t", token.IssuedAt.UtcTicks);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Compress(byte[] data)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            deflate.Write(data);
        }

        return output.ToArray();
    }

    private static bool TryDecompress(byte[] data, [NotNullWhen(true)] out byte[]? result)
    {
        result = null;
        try
        {
            using var input = new MemoryStream(data, writable: false);
            using var deflate = new DeflateStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while ((read = deflate.Read(chunk)) > 0)
            {
                if (output.Length + read > MaxPayloadBytes)
                {
                    return false;
                }

                output.Write(chunk, 0, read);
            }

            result = output.ToArray();
            return true;
        }
        catch (InvalidDataException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool TryDeserialize(byte[] plaintext, [NotNullWhen(true)] out PageToken? payload)
    {
        payload = null;
        if (!TryDecompress(plaintext, out var json))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !TryGetString(root, "i", out var identity)
                || !TryGetString(root, "f", out var family)
                || !TryGetString(root, "r", out var release)
                || !TryGetString(root, "q", out var query)
                || !TryGetInt64(root, "o", out var offset)
                || !TryGetInt64(root, "t", out var ticks)
                || offset < 0
                || ticks < DateTimeOffset.MinValue.UtcTicks
                || ticks > DateTimeOffset.MaxValue.UtcTicks)
            {
                return false;
            }

            payload = new PageToken(identity, family, release, query, offset, new DateTimeOffset(ticks, TimeSpan.Zero));
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool TryGetString(JsonElement root, string name, [NotNullWhen(true)] out string? value)
    {
        value = root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        return value is not null;
    }

    private static bool TryGetInt64(JsonElement root, string name, out long value)
    {
        value = 0;
        return root.TryGetProperty(name, out var element)
            && element.ValueKind == JsonValueKind.Number
            && element.TryGetInt64(out value);
    }
}
