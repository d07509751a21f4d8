using System.CommandLine;
using System.Globalization;

namespace ImagingCommons.Cli.Commands;

/// <summary><c>idc users add|list</c>: the registered users, who may save cohorts.</summary>
internal static class UsersCommand
{
    public static Command Create()
    {
        var data = AccountStoreAccess.DataOption();
        var email = AccountStoreAccess.EmailOption("The user's email (their identity: the verified email of their tokens)");
        var first = new Option<string>("--first-name") { Description = "First name", Required = true };
        var last = new Option<string>("--last-name") { Description = "Last name", Required = true };
        var add = new Command("add", "Register a user (nothing changes if the email is registered already)") { data, email, first, last };
        add.SetAction((parse, cancellationToken) => AccountStoreAccess.RunAsync(parse, async (output, _) =>
        {
            await using var store = await AccountStoreAccess.OpenAsync(parse, data, cancellationToken);
            var (user, created) = await store.AddUserAsync(parse.GetValue(email)!, parse.GetValue(first)!, parse.GetValue(last)!, cancellationToken);
            await output.WriteLineAsync(created
                ? $"Registered {user.Email} ({user.DisplayName}) as user {user.Id}."
                : $"{user.Email} is already registered ({user.DisplayName}, user {user.Id}); nothing changed.");
            return 0;
        }));

        var listData = AccountStoreAccess.DataOption();
        var list = new Command("list", "List the registered users (tab-separated: id, email, first name, last name, joined)") { listData };
        list.SetAction((parse, cancellationToken) => AccountStoreAccess.RunAsync(parse, async (output, _) =>
        {
            await using var store = await AccountStoreAccess.OpenAsync(parse, listData, cancellationToken);
            foreach (var user in await store.ListUsersAsync(cancellationToken))
            {
                await output.WriteLineAsync(string.Join('\t', user.Id.ToString(CultureInfo.InvariantCulture), user.Email, user.FirstName, user.LastName, user.DateJoined.ToString("u", CultureInfo.InvariantCulture)));
            }

            return 0;
        }));

        return new Command("users", "Registered users") { add, list };
    }
}
