using DuckDB.NET.Data;

namespace ImagingCommons.Data;

/// <summary>
/// How this project runs DuckDB: every command under a token that interrupts it (<see cref="DuckDBCommand.Cancel"/>,
/// DuckDB's interrupt), and every database locked down once, right after it is opened.
/// </summary>
internal static class DuckDb
{
    /// <summary>
    /// Runs a command; cancelling <paramref name="cancellationToken"/> interrupts it inside DuckDB, and the call then
    /// throws <see cref="OperationCanceledException"/> for that token (DuckDB's own error as the inner exception).
    /// </summary>
    /// <param name="started">Called once the token would interrupt the command, right before it runs.</param>
    public static T Run<T>(DuckDBCommand command, Func<DuckDBCommand, T> run, CancellationToken cancellationToken, Action? started = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var running = new RunningCommand(command);
        using var registration = cancellationToken.Register(static state => ((RunningCommand)state!).Interrupt(), running);
        try
        {
            started?.Invoke();
            return run(command);
        }
        catch (Exception exception) when (exception is DuckDBException or OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // DuckDB.NET reports an interrupted command as OperationCanceledException (older versions: DuckDBException).
            throw new OperationCanceledException("DuckDB interrupted the command.", exception, cancellationToken);
        }
        finally
        {
            running.Ended();
        }
    }

    /// <summary>
    /// Interrupts a command, and again every 50 ms until it has ended: a cancellation that arrives in the instant
    /// before DuckDB has begun the query (when an interrupt finds nothing to stop) is not lost.
    /// </summary>
    private sealed class RunningCommand(DuckDBCommand command)
    {
        private static readonly TimeSpan Again = TimeSpan.FromMilliseconds(50);
        private int _ended;

        public void Ended() => Volatile.Write(ref _ended, 1);

        public void Interrupt()
        {
            if (TryCancel())
            {
                _ = KeepInterruptingAsync();
            }
        }

        private async Task KeepInterruptingAsync()
        {
            while (Volatile.Read(ref _ended) == 0)
            {
                await Task.Delay(Again).ConfigureAwait(false);
                if (!TryCancel())
                {
                    return;
                }
            }
        }

        private bool TryCancel()
        {
            if (Volatile.Read(ref _ended) != 0)
            {
                return false;
            }

            try
            {
                command.Cancel();
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }

    /// <summary>Runs a statement that returns nothing.</summary>
    public static void Execute(DuckDBConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters) =>
        Execute(connection, sql, cancellationToken, null, parameters);

    /// <param name="started">Called once the token would interrupt the command, right before it runs.</param>
    public static void Execute(DuckDBConnection connection, string sql, CancellationToken cancellationToken, Action? started, params object[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        Run(command, static c => c.ExecuteNonQuery(), cancellationToken, started);
    }

    /// <summary>Runs a query for its first value.</summary>
    public static object? Scalar(DuckDBConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        var value = Run(command, static c => c.ExecuteScalar(), cancellationToken);
        return value is DBNull ? null : value;
    }

    public static DuckDBCommand Command(DuckDBConnection connection, string sql, params object[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(parameter));
        }

        return command;
    }

    /// <summary>
    /// Locks a freshly opened database down: the given settings, then no extension is installed or loaded
    /// automatically, files are read and written only under <paramref name="directories"/> (and their real
    /// locations, as DuckDB resolves symbolic links), nothing else outside (no other path, no URL), and the
    /// configuration can no longer be changed by any connection to it.
    /// </summary>
    /// <returns>The directories allowed.</returns>
    public static IReadOnlyList<string> Harden(DuckDBConnection connection, IEnumerable<string> directories, IEnumerable<(string Name, string Value)> settings)
    {
        // GLOBAL: a plain SET of a setting that also has a session scope (parquet_metadata_cache) holds only for this
        // connection, and every query runs on a duplicate of it.
        foreach (var (name, value) in settings)
        {
            Execute(connection, $"SET GLOBAL {name} = {value}", CancellationToken.None);
        }

        var allowed = AllowedDirectories(directories);
        Execute(connection, "SET GLOBAL autoinstall_known_extensions = false", CancellationToken.None);
        Execute(connection, "SET GLOBAL autoload_known_extensions = false", CancellationToken.None);
        Execute(connection, $"SET GLOBAL allowed_directories = {SqlText.List(allowed)}", CancellationToken.None);
        Execute(connection, "SET GLOBAL enable_external_access = false", CancellationToken.None);
        Execute(connection, "SET GLOBAL lock_configuration = true", CancellationToken.None);
        return allowed;
    }

    /// <summary>
    /// Each directory as given and at its real location, with the real locations of the symbolic links inside it two
    /// levels deep (a data directory's <c>releases/&lt;version&gt;</c> or <c>cache</c> may be links to other disks).
    /// </summary>
    internal static IReadOnlyList<string> AllowedDirectories(IEnumerable<string> directories)
    {
        var allowed = new List<string>();
        void Add(string path)
        {
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
            if (!allowed.Contains(full, StringComparer.Ordinal))
            {
                allowed.Add(full);
            }
        }

        foreach (var directory in directories)
        {
            Add(directory);
            Add(RealPath(directory));
            foreach (var link in LinksBelow(directory, depth: 2))
            {
                Add(RealPath(link));
            }
        }

        return allowed;
    }

    /// <summary>The path with every symbolic link along it resolved.</summary>
    internal static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? "/";
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            var info = new DirectoryInfo(current);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
            {
                current = RealPath(target.FullName);
            }
        }

        return current;
    }

    private static IEnumerable<string> LinksBelow(string directory, int depth)
    {
        if (depth == 0 || !Directory.Exists(directory))
        {
            yield break;
        }

        foreach (var child in new DirectoryInfo(directory).EnumerateDirectories())
        {
            if (child.LinkTarget is not null)
            {
                yield return child.FullName;
            }
            else
            {
                foreach (var link in LinksBelow(child.FullName, depth - 1))
                {
                    yield return link;
                }
            }
        }
    }
}
