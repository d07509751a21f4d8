using System.Globalization;
using System.Text;

namespace ImagingCommons.Data.Synthetic;

/// <summary>
/// xoshiro256** seeded through splitmix64. Our own generator rather than System.Random because the output of
/// System.Random's seeded constructor is not promised to stay the same across .NET versions, and a release
/// generated today must be byte-for-byte reproducible tomorrow.
/// </summary>
internal sealed class SeededRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public SeededRandom(ulong seed)
    {
        var sm = seed;
        _s0 = SplitMix(ref sm);
        _s1 = SplitMix(ref sm);
        _s2 = SplitMix(ref sm);
        _s3 = SplitMix(ref sm);
    }

    /// <summary>
    /// An independent stream for one named part of the output (a collection, a release's revisions), so that
    /// adding or changing one part never shifts the random draws of another.
    /// </summary>
    public static SeededRandom ForStream(int seed, string stream) =>
        new(StableHash(stream) ^ (ulong)(uint)seed * 0x9E3779B97F4A7C15UL);

    /// <summary>FNV-1a: string.GetHashCode is randomised per process and must never feed a seed.</summary>
    public static ulong StableHash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }

        return hash;
    }

    public ulong NextUInt64()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, maxExclusive).</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)((NextUInt64() >> 33) % (ulong)maxExclusive);
    }

    /// <summary>Uniform in [minInclusive, maxInclusive].</summary>
    public int Between(int minInclusive, int maxInclusive) => minInclusive + Next(maxInclusive - minInclusive + 1);

    public double Uniform(double min, double max) => min + (NextDouble() * (max - min));

    public bool Chance(double probability) => NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    public int PickWeighted(IReadOnlyList<double> weights)
    {
        var total = 0.0;
        foreach (var w in weights)
        {
            total += w;
        }

        var x = NextDouble() * total;
        for (var i = 0; i < weights.Count; i++)
        {
            x -= weights[i];
            if (x < 0)
            {
                return i;
            }
        }

        return weights.Count - 1;
    }

    /// <summary>Knuth's method; fine for the small means used here (at most a few dozen).</summary>
    public int Poisson(double mean)
    {
        if (mean <= 0)
        {
            return 0;
        }

        var limit = Math.Exp(-mean);
        var k = 0;
        var p = NextDouble();
        while (p > limit)
        {
            k++;
            p *= NextDouble();
        }

        return k;
    }

    public double Normal()
    {
        // Box-Muller without caching the second value, so every call consumes exactly two draws.
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public double LogNormal(double median, double sigma) => median * Math.Exp(sigma * Normal());

    /// <summary>A lowercase RFC 4122 version-4 UUID string built from two draws.</summary>
    public string UuidV4()
    {
        var hi = (NextUInt64() & 0xFFFFFFFFFFFF0FFFUL) | 0x0000000000004000UL;
        var lo = (NextUInt64() & 0x3FFFFFFFFFFFFFFFUL) | 0x8000000000000000UL;
        var hex = hi.ToString("x16", CultureInfo.InvariantCulture) + lo.ToString("x16", CultureInfo.InvariantCulture);
        return string.Create(36, hex, static (span, h) =>
        {
            h.AsSpan(0, 8).CopyTo(span);
            span[8] = '-';
            h.AsSpan(8, 4).CopyTo(span[9..]);
            span[13] = '-';
            h.AsSpan(12, 4).CopyTo(span[14..]);
            span[18] = '-';
            h.AsSpan(16, 4).CopyTo(span[19..]);
            span[23] = '-';
            h.AsSpan(20, 12).CopyTo(span[24..]);
        });
    }

    /// <summary>A decimal number of exactly <paramref name="count"/> digits without a leading zero (a valid UID component).</summary>
    public string Digits(int count)
    {
        var chars = new char[count];
        chars[0] = (char)('1' + Next(9));
        for (var i = 1; i < count; i++)
        {
            chars[i] = (char)('0' + Next(10));
        }

        return new string(chars);
    }

    private static ulong SplitMix(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
