using Microsoft.Extensions.Time.Testing;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ImagingCommons.Data.Paging;
using ImagingCommons.Data.Releases;

using ImagingCommons.Testing;

namespace ImagingCommons.Data.Tests.Paging;

public sealed partial class PageTokenCodecTests : IDisposable
{
    private const string Email = "alice@example.org";
    private const string Family = "v2-manifest";

    private readonly FakeTimeProvider time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly string folder = Path.Combine(Path.GetTempPath(), "ic-paging-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_token_decodes_to_exactly_what_was_encoded()
    {
        var codec = NewCodec();
        var original = Sample(query: """{"filters":{"collection_id":["tcga_luad"],"Modality":["CT","MR"]},"fields":["SeriesInstanceUID"],"note":"naïve ✓"}""", offset: 123_456_789_012);

        Assert.True(codec.TryDecode(codec.Encode(original), Email, Family, out var decoded));

        Assert.Equal(original, decoded);
        Assert.Equal(original.IssuedAt.UtcTicks, decoded.IssuedAt.UtcTicks);
    }

    [Theory]
    [InlineData("Anonymous", "v1-manifest")]
    [InlineData("", "v1-dicom")]
    [InlineData("bob@example.org", "v1-query")]
    public void Every_kind_of_identity_round_trips_including_the_empty_one(string identity, string family)
    {
        var codec = NewCodec();
        var original = Sample(identity: identity, family: family, query: "", offset: 0);

        Assert.True(codec.TryDecode(codec.Encode(original), identity, family, out var decoded));
        Assert.Equal(original, decoded);
    }

    [Fact]
    public void The_same_token_always_decodes_to_the_same_payload_while_each_encoding_is_fresh()
    {
        var codec = NewCodec();
        var original = Sample();
        var first = codec.Encode(original);
        var second = codec.Encode(original);

        Assert.NotEqual(first, second);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(codec.TryDecode(first, Email, Family, out var decoded));
            Assert.Equal(original, decoded);
        }

        Assert.True(codec.TryDecode(second, Email, Family, out var again));
        Assert.Equal(original, again);
    }

    [Theory]
    [InlineData("bob@example.org", Family)]
    [InlineData("Alice@example.org", Family)]
    [InlineData("Anonymous", Family)]
    [InlineData("", Family)]
    [InlineData(Email, "v1-manifest")]
    [InlineData(Email, "v2-query")]
    [InlineData(Email, "")]
    public void A_token_is_rejected_for_another_identity_or_endpoint_family(string identity, string family)
    {
        var codec = NewCodec();
        var token = codec.Encode(Sample());

        Assert.False(codec.TryDecode(token, identity, family, out var decoded));
        Assert.Null(decoded);
    }

    [Fact]
    public void Changing_any_single_character_of_a_token_is_rejected()
    {
        var codec = NewCodec();
        var token = codec.Encode(Sample());

        for (var i = 0; i < token.Length; i++)
        {
            foreach (var replacement in new[] { 'A', 'B', 'g', '-', '_', '0' })
            {
                if (token[i] == replacement)
                {
                    continue;
                }

                var tampered = string.Concat(token.AsSpan(0, i), replacement.ToString(), token.AsSpan(i + 1));
                Assert.False(codec.TryDecode(tampered, Email, Family, out _), $"accepted a token changed at character {i} to '{replacement}'");
            }
        }
    }

    [Fact]
    public void Flipping_any_bit_of_any_byte_of_a_token_is_rejected()
    {
        var codec = NewCodec();
        var bytes = Base64Url.DecodeFromChars(codec.Encode(Sample()));

        for (var i = 0; i < bytes.Length; i++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                var tampered = (byte[])bytes.Clone();
                tampered[i] ^= (byte)(1 << bit);
                Assert.False(codec.TryDecode(Base64Url.EncodeToString(tampered), Email, Family, out _), $"accepted a token with byte {i} bit {bit} flipped");
            }
        }
    }

    [Fact]
    public void Truncated_or_extended_tokens_are_rejected()
    {
        var codec = NewCodec();
        var token = codec.Encode(Sample());

        for (var length = 0; length < token.Length; length++)
        {
            Assert.False(codec.TryDecode(token[..length], Email, Family, out _), $"accepted a prefix of {length} characters");
        }

        Assert.False(codec.TryDecode(token + "A", Email, Family, out _));
        Assert.False(codec.TryDecode(token + "AAAA", Email, Family, out _));
        Assert.False(codec.TryDecode("A" + token, Email, Family, out _));
    }

    [Fact]
    public void Garbage_is_rejected_without_exceptions()
    {
        var codec = NewCodec();
        var token = codec.Encode(Sample());
        string?[] inputs =
        [
            null,
            "",
            " ",
            "None",
            "gAAAAABlaW52YWxpZC1mZXJuZXQtdG9rZW4tZnJvbS10aGUtb3JpZ2luYWw=",
            "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
            new string('A', 200),
            new string('_', 201),
            new string('A', 64 * 1024),
            new string('A', 10_000_000),
            token + "=",
            token + "==",
            token[..10] + "+" + token[11..],
            token[..10] + "/" + token[11..],
            token[..20] + " " + token[20..],
            token[..20] + "\n" + token[20..],
            token[..20] + "%" + token[20..],
            token[..10] + (token[10] == 'Q' ? 'R' : 'Q') + token[11..],
            "\0" + token,
            token + "\u00e9",
            Convert.ToBase64String(RandomNumberGenerator.GetBytes(300)),
            Base64Url.EncodeToString([1, .. RandomNumberGenerator.GetBytes(300)]),
            Base64Url.EncodeToString([1, .. new byte[29]]),
            Base64Url.EncodeToString([2, .. Base64Url.DecodeFromChars(token).AsSpan(1)]),
        ];

        foreach (var input in inputs)
        {
            Assert.False(codec.TryDecode(input, Email, Family, out var decoded), $"accepted {input?[..Math.Min(input.Length, 40)]}");
            Assert.Null(decoded);
        }
    }

    [Fact]
    public void A_token_made_with_another_key_is_rejected()
    {
        var ours = NewCodec();
        var theirs = new PageTokenCodec(RandomNumberGenerator.GetBytes(32), time);

        Assert.False(ours.TryDecode(theirs.Encode(Sample()), Email, Family, out _));
    }

    [Fact]
    public void A_token_is_accepted_for_its_whole_lifetime_and_rejected_after_it()
    {
        var codec = NewCodec();
        var token = codec.Encode(Sample());

        time.Advance(TimeSpan.FromHours(24));
        Assert.True(codec.TryDecode(token, Email, Family, out _));
        time.Advance(TimeSpan.FromDays(6) - TimeSpan.FromSeconds(1));
        Assert.True(codec.TryDecode(token, Email, Family, out _));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(codec.TryDecode(token, Email, Family, out _));
    }

    [Fact]
    public void A_configured_lifetime_of_24_hours_is_honoured()
    {
        var codec = new PageTokenCodec(RandomNumberGenerator.GetBytes(32), time, TimeSpan.FromHours(24));
        var token = codec.Encode(Sample());

        time.Advance(TimeSpan.FromHours(24));
        Assert.True(codec.TryDecode(token, Email, Family, out _));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(codec.TryDecode(token, Email, Family, out _));
    }

    [Fact]
    public void A_token_issued_far_in_the_future_is_rejected()
    {
        var codec = NewCodec();
        var token = codec.Encode(Sample() with { IssuedAt = time.GetUtcNow().AddHours(1) });

        Assert.False(codec.TryDecode(token, Email, Family, out _));
    }

    [Fact]
    public void Lifetimes_under_24_hours_and_keys_of_the_wrong_size_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PageTokenCodec(new byte[32], time, TimeSpan.FromHours(23)));
        Assert.Throws<ArgumentException>(() => new PageTokenCodec(new byte[16], time));
        Assert.Throws<ArgumentException>(() => new PageTokenCodec(new byte[33], time));
    }

    [Fact]
    public void Encoding_refuses_a_negative_offset()
    {
        var codec = NewCodec();

        Assert.Throws<ArgumentOutOfRangeException>(() => codec.Encode(Sample(offset: -1)));
    }

    [Fact]
    public void Tokens_use_only_url_safe_characters()
    {
        var codec = NewCodec();
        for (var i = 0; i < 200; i++)
        {
            var query = Convert.ToBase64String(RandomNumberGenerator.GetBytes(i)) + "/+=?&#\"é";
            var token = codec.Encode(Sample(query: query, offset: i));

            Assert.Matches(UrlSafe(), token);
            Assert.Equal(token, Uri.EscapeDataString(token));
        }
    }

    [Fact]
    public void A_long_query_gives_a_much_shorter_token()
    {
        var codec = NewCodec();
        var query = LongQuery(10 * 1024);
        var token = codec.Encode(Sample(query: query));
        TestContext.Current.TestOutputHelper?.WriteLine($"query {query.Length} chars, token {token.Length} chars; small query token {codec.Encode(Sample()).Length} chars");

        Assert.True(token.Length < query.Length / 3, $"a {query.Length}-character query gave a {token.Length}-character token");
        Assert.True(codec.TryDecode(token, Email, Family, out var decoded));
        Assert.Equal(query, decoded.Query);
    }

    [Fact]
    public void A_query_too_large_for_any_token_is_refused_when_encoding()
    {
        var codec = NewCodec();
        var incompressible = Convert.ToBase64String(RandomNumberGenerator.GetBytes(80 * 1024));

        Assert.Throws<ArgumentException>(() => codec.Encode(Sample(query: incompressible)));
    }

    [Fact]
    public void The_key_file_is_created_once_with_owner_only_access_and_reused_across_a_restart()
    {
        var data = new DataDirectory(folder);
        var keyPath = Path.Combine(folder, "keys", "page-token.key");

        var before = PageTokenCodec.ForDataDirectory(data, time);
        var token = before.Encode(Sample());
        var key = File.ReadAllBytes(keyPath);

        Assert.Equal(32, key.Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        }

        var after = PageTokenCodec.ForDataDirectory(new DataDirectory(folder), time);

        Assert.True(after.TryDecode(token, Email, Family, out var decoded));
        Assert.Equal(Sample(), decoded);
        Assert.Equal(key, File.ReadAllBytes(keyPath));
        AssertOnlyTheKeyIsLeft();
    }

    [Fact]
    public void Instances_racing_to_create_the_key_file_end_up_with_one_key()
    {
        for (var round = 0; round < 10; round++)
        {
            var data = new DataDirectory(Path.Combine(folder, round.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            var codecs = new PageTokenCodec[8];
            Parallel.For(0, codecs.Length, i => codecs[i] = PageTokenCodec.ForDataDirectory(data, time));

            var token = codecs[0].Encode(Sample());
            Assert.All(codecs, codec => Assert.True(codec.TryDecode(token, Email, Family, out _)));
            Assert.Equal(2, Directory.GetFiles(Path.Combine(data.Path, "keys")).Length);
        }
    }

    [Fact]
    public void A_damaged_key_file_is_reported_not_silently_replaced()
    {
        Directory.CreateDirectory(Path.Combine(folder, "keys"));
        var keyPath = Path.Combine(folder, "keys", "page-token.key");
        File.WriteAllBytes(keyPath, new byte[7]);

        Assert.Throws<InvalidDataException>(() => PageTokenCodec.ForDataDirectory(new DataDirectory(folder), time));
        Assert.Equal(7, new FileInfo(keyPath).Length);
    }

    [Fact]
    public void Replicas_configured_with_the_same_base64_key_read_each_others_tokens()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var direct = new PageTokenCodec(key, time);
        var fromStandard = PageTokenCodec.FromBase64Key(Convert.ToBase64String(key), time);
        var fromUrlSafe = PageTokenCodec.FromBase64Key(Base64Url.EncodeToString(key), time);

        Assert.True(fromStandard.TryDecode(direct.Encode(Sample()), Email, Family, out _));
        Assert.True(direct.TryDecode(fromUrlSafe.Encode(Sample()), Email, Family, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64 at all!")]
    [InlineData("AAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void A_configured_key_that_is_not_32_bytes_of_base64_is_refused(string key) =>
        Assert.Throws<FormatException>(() => PageTokenCodec.FromBase64Key(key, time));

    private void AssertOnlyTheKeyIsLeft() =>
        Assert.Equal(
            ["page-token.key", "page-token.key.lock"],
            Directory.GetFiles(Path.Combine(folder, "keys")).Select(Path.GetFileName).Order(StringComparer.Ordinal));

    private PageTokenCodec NewCodec() => new(RandomNumberGenerator.GetBytes(32), time);

    private PageToken Sample(string identity = Email, string family = Family, string query = """{"filters":{"Modality":["CT"]}}""", long offset = 1000) =>
        new(identity, family, "24.0", query, offset, time.GetUtcNow());

    /// <summary>A cohort definition of the kind users build: many filters over a vocabulary of collection and attribute names.</summary>
    private static string LongQuery(int minimumLength)
    {
        string[] collections = ["tcga_luad", "tcga_lusc", "nlst", "cptac_ccrcc", "lidc_idri", "rider_lung_ct", "qin_headneck", "acrin_6698", "cmb_crc", "htan_ohsu"];
        string[] modalities = ["CT", "MR", "PT", "SM", "SEG", "SR", "RTSTRUCT", "DX", "MG", "US"];
        var json = new StringBuilder("""{"name":"my cohort","description":"lung and head-neck imaging","filters":{""");
        var index = 0;
        while (json.Length < minimumLength)
        {
            json.Append(index == 0 ? "" : ",")
                .Append("\"collection_id_").Append(index).Append("\":[")
                .AppendJoin(",", collections.Skip(index % 7).Take(4).Select(c => $"\"{c}\""))
                .Append("],\"Modality_").Append(index).Append("\":[")
                .AppendJoin(",", modalities.Skip(index % 5).Take(3).Select(m => $"\"{m}\""))
                .Append("],\"age_at_diagnosis_btw_").Append(index).Append("\":[").Append(20 + index % 40).Append(',').Append(60 + index % 30).Append(']');
            index++;
        }

        return json.Append("}}").ToString();
    }

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex UrlSafe();
}
