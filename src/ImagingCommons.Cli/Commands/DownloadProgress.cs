using System.Diagnostics;
using System.Globalization;
using ImagingCommons.Client.Downloads;
using Spectre.Console;

namespace ImagingCommons.Cli.Commands;

/// <summary>
/// How a download shows itself on standard error: a Spectre.Console progress display (files, bytes, rate, ETA) on a
/// terminal, a plain line every few seconds in a pipe, nothing but the summary with --quiet; retries and failures as
/// lines in the last two.
/// </summary>
internal sealed class DownloadProgress : IDownloadProgress
{
    private static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(5);

    private readonly TextWriter _error;
    private readonly bool _quiet;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _gate = new();
    private long _bytes;
    private long _totalBytes;
    private int _files;
    private int _totalFiles;
    private TimeSpan _lastLine;
    private ProgressTask? _task;

    private DownloadProgress(TextWriter error, bool quiet)
    {
        _error = error;
        _quiet = quiet;
    }

    /// <summary>Runs <paramref name="download"/> with the display that suits where standard error goes.</summary>
    public static async Task<DownloadReport> RunAsync(TextWriter error, bool quiet, bool bar, Func<IDownloadProgress, Task<DownloadReport>> download)
    {
        var progress = new DownloadProgress(error, quiet);
        var terminal = bar && !quiet && ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        if (!terminal)
        {
            return await download(progress);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                progress._task = context.AddTask("downloading", autoStart: true, maxValue: 1);
                return await download(progress);
            });
    }

    public void Started(DownloadPlan plan)
    {
        _totalFiles = plan.ToFetch.Count();
        _totalBytes = plan.BytesToFetch;
        if (_task is not null)
        {
            _task.MaxValue = Math.Max(1, _totalBytes);
            _task.Description = Files();
        }
    }

    public void Received(PlannedFile file, long bytes)
    {
        var total = Interlocked.Add(ref _bytes, bytes);
        if (_task is not null)
        {
            _task.Value = total;
            return;
        }

        Plain();
    }

    public void Completed(PlannedFile file, bool md5Checked)
    {
        Interlocked.Increment(ref _files);
        if (_task is not null)
        {
            _task.Description = Files();
        }
        else
        {
            Plain();
        }
    }

    public void Retrying(PlannedFile file, int attempt, string reason) => Line($"retrying {file.Url} (attempt {attempt} failed: {reason})");

    public void Failed(DownloadFailure failure) => Line($"failed: {failure.Url}: {failure.Message}");

    private string Files() => string.Create(CultureInfo.InvariantCulture, $"{Volatile.Read(ref _files)}/{_totalFiles} files");

    private void Plain()
    {
        if (_quiet)
        {
            return;
        }

        lock (_gate)
        {
            if (_clock.Elapsed - _lastLine < PlainEvery)
            {
                return;
            }

            _lastLine = _clock.Elapsed;
        }

        var bytes = Interlocked.Read(ref _bytes);
        var rate = bytes / Math.Max(0.001, _clock.Elapsed.TotalSeconds);
        var eta = rate > 0 && _totalBytes > bytes ? TimeSpan.FromSeconds((_totalBytes - bytes) / rate) : TimeSpan.Zero;
        Line(string.Create(CultureInfo.InvariantCulture, $"{Files()}, {Sizes.Human(bytes)} of {Sizes.Human(_totalBytes)}, {Sizes.Human((long)rate)}/s, ETA {eta:hh\\:mm\\:ss}"));
    }

    private void Line(string text)
    {
        if (_quiet)
        {
            return;
        }

        if (_task is not null)
        {
            AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }).MarkupLine(Markup.Escape(text));
            return;
        }

        lock (_gate)
        {
            _error.WriteLine(text);
        }
    }
}
