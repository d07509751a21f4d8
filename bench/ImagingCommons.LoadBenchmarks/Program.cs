using System.Globalization;
using System.Text.Json;
using ImagingCommons.Data.Releases;
using ImagingCommons.LoadBenchmarks;

// Usage (bench/perf/run.sh drives it):
//   run       --url URL --pid PID --label NAME --round N [--per-kind K] [--sections mix,largest,whole] --out FILE.jsonl
//   naive     --data DIR --release V --round N [--per-kind K] [--largest] [--whole] --out FILE.jsonl
//   summarize FILE.jsonl...   (markdown tables: p50/p95 per kind and phase, ratios between labels)
var verb = args.Length > 0 ? args[0] : "";
var options = Arguments.Parse(args.Skip(1));
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

switch (verb)
{
    case "run":
        await Bench.RunAsync(options, cancel.Token);
        break;
    case "naive":
        Bench.Naive(options);
        break;
    case "summarize":
        Summary.Print(options.Files);
        break;
    default:
        Console.Error.WriteLine("usage: run|naive|summarize (see bench/perf/run.sh)");
        return 2;
}

return 0;

internal sealed record Arguments(IReadOnlyDictionary<string, string> Named, IReadOnlyList<string> Files)
{
    public string this[string name] => Named.TryGetValue(name, out var value) ? value : throw new ArgumentException("--" + name + " is required");

    public int Int(string name, int fallback) => Named.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public bool Flag(string name) => Named.ContainsKey(name);

    public static Arguments Parse(IEnumerable<string> args)
    {
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = new List<string>();
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].StartsWith("--", StringComparison.Ordinal))
            {
                var hasValue = i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal);
                named[list[i][2..]] = hasValue ? list[++i] : "";
            }
            else
            {
                files.Add(list[i]);
            }
        }

        return new Arguments(named, files);
    }
}

/// <summary>One measurement: which server (label), which listing kind, which phase (cold, warm, later, deep, whole, naive…), its time, and the machine's load then.</summary>
internal sealed record Sample(string Label, int Round, string Kind, string Phase, double Milliseconds, long Rows, long Total, double Load1, int Accepted = 0, long PeakKb = 0);

internal static class Bench
{
    public static async Task RunAsync(Arguments options, CancellationToken cancellationToken)
    {
        var label = options["label"];
        var round = options.Int("round", 0);
        var perKind = options.Int("per-kind", 10);
        var pid = options.Int("pid", 0);
        using var output = new StreamWriter(options["out"], append: true);
        using var client = new ServerClient(options["url"]);
        void Write(Sample sample)
        {
            output.WriteLine(JsonSerializer.Serialize(sample));
            output.Flush();
        }

        var sections = options.Named.GetValueOrDefault("sections", "mix").Split(',');
        var listings = sections.Contains("mix") ? Mix.Round(round, perKind).ToList() : [];
        if (sections.Contains("largest"))
        {
            listings.AddRange(Mix.Largest());
        }

        foreach (var listing in listings)
        {
            var cold = await client.FirstPageAsync(listing, cancellationToken);
            Write(new Sample(label, round, listing.Kind, "cold", cold.Milliseconds, cold.Rows, cold.Total, Load(), cold.Accepted));
            var warm = await client.FirstPageAsync(listing, cancellationToken);
            Write(new Sample(label, round, listing.Kind, "warm", warm.Milliseconds, warm.Rows, warm.Total, Load(), warm.Accepted));

            // Later pages, in order from the second (20 of them for the docs' v2 manifests, 5 for the others).
            var token = warm.NextPage;
            var depth = listing.Kind.StartsWith("v2", StringComparison.Ordinal) ? 20 : 5;
            for (var i = 0; i < depth && token.Length > 0; i++)
            {
                var page = await client.NextPageAsync(listing, token, 1000, cancellationToken);
                Write(new Sample(label, round, listing.Kind, "later", page.Milliseconds, page.Rows, page.Total, Load(), page.Accepted));
                token = page.NextPage;
            }
        }

        if (sections.Contains("whole"))
        {
            foreach (var listing in new[] { Mix.WholeSeries(), Mix.WholeInstances() })
            {
                // Streamed 10,000 rows a page; each page is also a page at its depth.
                var watch = System.Diagnostics.Stopwatch.StartNew();
                var first = await client.FirstPageAsync(listing, cancellationToken);
                long rows = first.Rows;
                var token = first.NextPage;
                while (token.Length > 0)
                {
                    var page = await client.NextPageAsync(listing, token, 10_000, cancellationToken);
                    Write(new Sample(label, round, listing.Kind, "deep (10,000 rows)", page.Milliseconds, page.Rows, page.Total, Load(), page.Accepted));
                    rows += page.Rows;
                    token = page.NextPage;
                }

                Write(new Sample(label, round, listing.Kind, "whole", watch.Elapsed.TotalMilliseconds, rows, first.Total, Load()));
            }
        }

        Write(new Sample(label, round, "server", "memory", 0, 0, 0, Load(), PeakKb: pid > 0 ? PeakKb(pid) : 0));
    }

    public static void Naive(Arguments options)
    {
        var round = options.Int("round", 0);
        var perKind = options.Int("per-kind", 3);
        using var output = new StreamWriter(options["out"], append: true);
        using var naive = new Naive(new DataDirectory(options["data"]), options["release"], options.Named.GetValueOrDefault("memory-limit", "2GB"), options.Named.GetValueOrDefault("temp", "/tmp/ic-naive"));
        void Write(Sample sample)
        {
            output.WriteLine(JsonSerializer.Serialize(sample));
            output.Flush();
        }

        var listings = Mix.Round(round, perKind).ToList();
        if (options.Flag("largest"))
        {
            listings.AddRange(Mix.Largest().Where(l => options.Flag("largest-all") || !l.Kind.StartsWith("dicomMetadata", StringComparison.Ordinal)));
        }

        foreach (var listing in listings)
        {
            var (ms, total) = naive.FirstPage(listing.Spec, 1000);
            Write(new Sample("naive", round, listing.Kind, "cold", ms, Math.Min(total, 1000), total, Load()));
            if (total > 2000)
            {
                Write(new Sample("naive", round, listing.Kind, "later", naive.LaterPage(listing.Spec, 1000, 1000), 1000, total, Load()));
            }
        }

        if (options.Flag("whole"))
        {
            foreach (var listing in new[] { Mix.WholeSeries(), Mix.WholeInstances() })
            {
                var (ms, rows) = naive.Whole(listing.Spec);
                Write(new Sample("naive", round, listing.Kind, "whole", ms, rows, rows, Load()));
            }
        }
    }

    /// <summary>The process's peak resident memory since it started (VmHWM), in KiB.</summary>
    public static long PeakKb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>The one-minute load average now.</summary>
    public static double Load() => double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
}
