using System.Globalization;
using System.Text.Json;

namespace ImagingCommons.LoadBenchmarks;

/// <summary>Markdown tables from the samples of one or more runs: per kind and phase, p50 and p95 of each label, and the ratios between labels.</summary>
internal static class Summary
{
    public static void Print(IReadOnlyList<string> files)
    {
        var samples = files.SelectMany(File.ReadLines).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<Sample>(l)!).ToList();
        var labels = samples.Select(s => s.Label).Where(l => l != "naive").Distinct().ToList();
        var hasNaive = samples.Any(s => s.Label == "naive");
        var header = "| kind | phase | n | " + string.Join(" | ", labels.Select(l => $"{l} p50 | {l} p95")) + (labels.Count == 2 ? $" | {labels[0]}/{labels[1]} (p50)" : "")
            + (hasNaive ? " | naive p50 | naive/" + labels[^1] + " | rows (total) | load 1 min |" : " | rows (total) | load 1 min |");
        Console.WriteLine(header);
        Console.WriteLine("|" + string.Concat(Enumerable.Repeat("---|", header.Count(c => c == '|') - 1)));
        foreach (var group in samples.Where(s => s.Phase != "memory").GroupBy(s => (s.Kind, s.Phase)).OrderBy(g => Order(g.Key.Phase)).ThenBy(g => FirstIndex(samples, g.Key)))
        {
            var cells = new List<string> { group.Key.Kind, group.Key.Phase };
            var byLabel = labels.Select(l => group.Where(s => s.Label == l).Select(s => s.Milliseconds).ToList()).ToList();
            cells.Add(string.Join("/", byLabel.Select(b => b.Count.ToString(CultureInfo.InvariantCulture))));
            foreach (var values in byLabel)
            {
                cells.Add(Ms(Percentile(values, 0.5)));
                cells.Add(Ms(Percentile(values, 0.95)));
            }

            if (labels.Count == 2)
            {
                cells.Add(Ratio(Percentile(byLabel[0], 0.5), Percentile(byLabel[1], 0.5)));
            }

            if (hasNaive)
            {
                var naive = group.Where(s => s.Label == "naive").Select(s => s.Milliseconds).ToList();
                cells.Add(Ms(Percentile(naive, 0.5)));
                cells.Add(Ratio(Percentile(naive, 0.5), Percentile(byLabel[^1], 0.5)));
            }

            var totals = group.Where(s => s.Label != "naive").Select(s => s.Total).ToList();
            cells.Add(totals.Count == 0 ? "" : totals.Min() == totals.Max() ? Count(totals[0]) : $"{Count(totals.Min())}-{Count(totals.Max())}");
            var loads = group.Select(s => s.Load1).ToList();
            cells.Add($"{loads.Min():F1}-{loads.Max():F1}");
            Console.WriteLine("| " + string.Join(" | ", cells) + " |");
        }

        Console.WriteLine();
        foreach (var memory in samples.Where(s => s.Phase == "memory"))
        {
            Console.WriteLine($"- {memory.Label}, round {memory.Round}: server peak resident memory (VmHWM) {memory.PeakKb / 1024.0 / 1024.0:F2} GiB, load {memory.Load1:F1}");
        }
    }

    private static int Order(string phase) => phase switch
    {
        "cold" => 0,
        "warm" => 1,
        "later" => 2,
        "deep (10,000 rows)" => 3,
        "whole" => 4,
        _ => 5,
    };

    private static int FirstIndex(List<Sample> samples, (string Kind, string Phase) key) => samples.FindIndex(s => s.Kind == key.Kind);

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        var rank = p * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }

    private static string Ms(double ms) => double.IsNaN(ms) ? "" : ms >= 10_000 ? (ms / 1000).ToString("F1", CultureInfo.InvariantCulture) + " s" : ms.ToString(ms < 10 ? "F1" : "F0", CultureInfo.InvariantCulture) + " ms";

    private static string Ratio(double a, double b) => double.IsNaN(a) || double.IsNaN(b) || b == 0 ? "" : (a / b).ToString(a / b >= 10 ? "F0" : "F2", CultureInfo.InvariantCulture) + "x";

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
