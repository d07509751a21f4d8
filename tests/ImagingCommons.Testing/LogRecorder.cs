using Microsoft.Extensions.Logging;

namespace ImagingCommons.Testing;

/// <summary>One log line as the code under test wrote it.</summary>
public sealed record LogLine(string Category, LogLevel Level, EventId Event, string Message, IReadOnlyDictionary<string, object?> State, Exception? Exception = null)
{
    public override string ToString() => $"{Level} {Category}: {Message}{(Exception is null ? "" : " " + Exception)}";
}

/// <summary>
/// Records log lines, and lets a test wait for a line to be written (a signal from the code under test, instead of
/// polling its state).
/// </summary>
public sealed class LogRecorder : ILoggerProvider, IEnumerable<string>
{
    private readonly Lock _lock = new();
    private readonly List<LogLine> _lines = [];
    private readonly List<(Func<LogLine, bool> Match, int Count, TaskCompletionSource<LogLine> Seen)> _waiters = [];

    public IReadOnlyList<LogLine> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>A factory whose loggers write here, at every level.</summary>
    public ILoggerFactory Factory() => LoggerFactory.Create(builder => builder.AddProvider(this).SetMinimumLevel(LogLevel.Trace));

    public IReadOnlyList<LogLine> Named(string eventName) => [.. Lines.Where(l => l.Event.Name == eventName)];

    /// <summary>Every line as text (level, category, message, exception).</summary>
    public string Text => string.Join("\n", Lines);

    public IEnumerator<string> GetEnumerator() => Lines.Select(l => l.ToString()).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Completes with the <paramref name="count"/>th line of that event (at once when it was already written).</summary>
    public Task<LogLine> WaitForAsync(string eventName, int count = 1) => WaitForAsync(l => l.Event.Name == eventName, count);

    public Task<LogLine> WaitForAsync(Func<LogLine, bool> match, int count = 1)
    {
        lock (_lock)
        {
            var seen = _lines.Where(match).ToList();
            if (seen.Count >= count)
            {
                return Task.FromResult(seen[count - 1]);
            }

            var waiter = new TaskCompletionSource<LogLine>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, count, waiter));
            return waiter.Task;
        }
    }

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(LogLine line)
    {
        lock (_lock)
        {
            _lines.Add(line);
            foreach (var waiter in _waiters.ToList())
            {
                if (waiter.Match(line) && _lines.Count(waiter.Match) >= waiter.Count)
                {
                    _waiters.Remove(waiter);
                    waiter.Seen.TrySetResult(line);
                }
            }
        }
    }

    private sealed class Recorder(LogRecorder owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)
                : [];
            owner.Add(new LogLine(category, logLevel, eventId, formatter(state, exception), values, exception));
        }
    }
}
