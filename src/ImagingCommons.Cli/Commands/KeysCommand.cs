using System.CommandLine;
using System.Globalization;

namespace ImagingCommons.Cli.Commands;

/// <summary><c>idc keys create|revoke|list</c>: API keys for scripts (sent as <c>Authorization: Bearer &lt;key&gt;</c>).</summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var data = AccountStoreAccess.DataOption();
        var email = AccountStoreAccess.EmailOption("The registered user the key acts as");
        var create = new Command("create", "Issue an API key; it is printed once, on standard output, and only its hash is kept") { data, email };
        create.SetAction((parse, cancellationToken) => AccountStoreAccess.RunAsync(parse, async (output, error) =>
        {
            await using var store = await AccountStoreAccess.OpenAsync(parse, data, cancellationToken);
            var user = await store.FindUserAsync(parse.GetValue(email)!, cancellationToken);
            if (user is null)
            {
                await error.WriteLineAsync($"error: {parse.GetValue(email)} is not a registered user; register them first (idc users add).");
                return 1;
            }

            var issued = await store.CreateApiKeyAsync(user.Id, cancellationToken);
            await output.WriteLineAsync(issued.Key);
            await error.WriteLineAsync($"API key {issued.Id} for {user.Email}. It is shown only this once; revoke it with: idc keys revoke --id {issued.Id}");
            return 0;
        }));

        var revokeData = AccountStoreAccess.DataOption();
        var id = new Option<string>("--id") { Description = "The key's id (the 12 hex digits after ick_, as create and list print it)", Required = true };
        var revoke = new Command("revoke", "Revoke an API key: it stops working at once") { revokeData, id };
        revoke.SetAction((parse, cancellationToken) => AccountStoreAccess.RunAsync(parse, async (output, error) =>
        {
            await using var store = await AccountStoreAccess.OpenAsync(parse, revokeData, cancellationToken);
            if (!await store.RevokeApiKeyAsync(parse.GetValue(id)!, cancellationToken))
            {
                await error.WriteLineAsync($"error: no active API key has the id {parse.GetValue(id)}.");
                return 1;
            }

            await output.WriteLineAsync($"Revoked API key {parse.GetValue(id)}.");
            return 0;
        }));

        var listData = AccountStoreAccess.DataOption();
        var listEmail = new Option<string>("--email") { Description = "Only this user's keys" };
        var list = new Command("list", "List API keys (tab-separated: id, email, created, revoked or -); never the keys themselves") { listData, listEmail };
        list.SetAction((parse, cancellationToken) => AccountStoreAccess.RunAsync(parse, async (output, error) =>
        {
            await using var store = await AccountStoreAccess.OpenAsync(parse, listData, cancellationToken);
            long? userId = null;
            if (parse.GetValue(listEmail) is { } only)
            {
                var user = await store.FindUserAsync(only, cancellationToken);
                if (user is null)
                {
                    await error.WriteLineAsync($"error: {only} is not a registered user.");
                    return 1;
                }

                userId = user.Id;
            }

            foreach (var key in await store.ListApiKeysAsync(userId, cancellationToken))
            {
                await output.WriteLineAsync(string.Join('\t', key.Id, key.Email, key.CreatedAt.ToString("u", CultureInfo.InvariantCulture),
                    key.RevokedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "-"));
            }

            return 0;
        }));

        return new Command("keys", "API keys") { create, revoke, list };
    }
}
