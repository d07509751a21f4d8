using System.CommandLine;
using ImagingCommons.Data.Accounts;
using ImagingCommons.Data.Releases;

namespace ImagingCommons.Cli.Commands;

/// <summary>
/// The account store the server of a data directory uses: SQLite in the data directory, or PostgreSQL when the
/// environment names one the way the server's configuration does (ImagingCommons__Accounts__Postgres), so the
/// connection string never appears on a command line.
/// </summary>
internal static class AccountStoreAccess
{
    public const string PostgresVariable = "ImagingCommons__Accounts__Postgres";

    public static Option<string> DataOption() =>
        Commands.DataOption.Create("Data directory of the server (its accounts.db, unless " + PostgresVariable + " names a PostgreSQL database)");

    public static Option<string> EmailOption(string description) => new("--email") { Description = description, Required = true };

    public static async Task<AccountStore> OpenAsync(ParseResult parse, Option<string> data, CancellationToken cancellationToken)
    {
        var postgres = Environment.GetEnvironmentVariable(PostgresVariable);
        var directory = postgres is { Length: > 0 } ? new DataDirectory(parse.GetValue(data)!) : Commands.DataOption.ForWriting(parse, data, Verb(parse));
        var store = AccountStores.Open(directory, postgres);
        try
        {
            await store.MigrateAsync(cancellationToken);
            return store;
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    /// <summary>The verb as typed, e.g. "keys create".</summary>
    private static string Verb(ParseResult parse) =>
        parse.CommandResult.Parent is System.CommandLine.Parsing.CommandResult { Parent: not null } parent
            ? parent.Command.Name + " " + parse.CommandResult.Command.Name
            : parse.CommandResult.Command.Name;

    /// <summary>Runs a command body; a store that cannot be reached or bad input is a message and exit code 1, not a stack trace.</summary>
    public static async Task<int> RunAsync(ParseResult parse, Func<TextWriter, TextWriter, Task<int>> body)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            return await body(output, error);
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or System.Data.Common.DbException or IOException)
        {
            var message = exception is ArgumentException { ParamName: { } name } argument
                ? argument.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal)
                : exception.Message;
            await error.WriteLineAsync("error: " + message);
            return 1;
        }
    }
}
