using Microsoft.Extensions.Time.Testing;
using ImagingCommons.Data.Accounts;
using ImagingCommons.Testing;

namespace ImagingCommons.Data.Tests.Accounts;

/// <summary>The store contract, run on SQLite and on PostgreSQL alike.</summary>
public sealed class AccountStoreTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static NewCohort Cohort(long owner, string name = "c", string version = "24.0") =>
        new(owner, name, "d", version, "v2", """{"Modality":["CT"]}""");

    [StoreTheory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task Migrating_again_applies_nothing_and_keeps_the_data(StoreKind kind)
    {
        await using var test = await TestAccountStore.CreateAsync(kind);
        var (user, _) = await test.Store.AddUserAsync("a@example.org", "Ada", "Lovelace", Cancel);

        await using var again = test.Open();
        Assert.Empty(await again.MigrateAsync(Cancel));

        Assert.Equal([1], await again.AppliedSchemaVersionsAsync(Cancel));
        Assert.Equal(user, await again.FindUserAsync("a@example.org", Cancel));
    }

    [StoreTheory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task Replicas_starting_together_migrate_the_schema_exactly_once(StoreKind kind)
    {
        await using var blank = await TestAccountStore.CreateAsync(kind, migrate: false);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            await using var store = blank.Open();
            return await store.MigrateAsync(Cancel);
        }, Cancel)));

        Assert.Single(results, applied => applied.SequenceEqual([1]));
        Assert.Equal(5, results.Count(applied => applied.Count == 0));
        Assert.Equal([1], await blank.Store.AppliedSchemaVersionsAsync(Cancel));
    }

    [StoreTheory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task A_database_of_a_newer_build_is_refused_not_downgraded(StoreKind kind)
    {
        await using var test = await TestAccountStore.CreateAsync(kind);
        await using (var connection = await OpenRawAsync(test))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO schema_migrations (version, description, applied_at) VALUES (99, 'from the future', 0)";
            await command.ExecuteNonQueryAsync(Cancel);
        }

        await using var store = test.Open();
        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => store.MigrateAsync(Cancel));

        Assert.Contains("schema version 99, newer than this build knows (1)", exception.Message, StringComparison.Ordinal);
    }

    [StoreTheory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task Users_are_registered_once_per_email_whatever_its_case(StoreKind kind)
    {
        await using var test = await TestAccountStore.CreateAsync(kind);

        var (first, created) = await test.Store.AddUserAsync(" Ada@Example.org ", "Ada", "Lovelace", Cancel);
        var (second, createdAgain) = await test.Store.AddUserAsync("ada@example.org", "Someone", "Else", Cancel);

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(first, second);
        Assert.Equal("ada@example.org", first.Email);
        Assert.Equal("Ada Lovelace", first.DisplayName);
        Assert.Null(first.LastLogin);
        Assert.Equal(first, await test.Store.FindUserAsync("ADA@EXAMPLE.ORG", Cancel));
        Assert.Null(await test.Store.FindUserAsync("bob@example.org", Cancel));
        Assert.Equal([first], await test.Store.ListUsersAsync(Cancel));
    }

    [StoreTheory]
    [InlineData(StoreKind.Sqlite, "not-an-email")]
    [InlineData(StoreKind.Sqlite, "a@")]
    [InlineData(StoreKind.Sqlite, "a b@example.org")]
    [InlineData(StoreKind.Postgres, "")]
    public async Task Implausible_emails_are_refused(StoreKind kind, string email)
    {
        await using var test = await TestAccountStore.CreateAsync(kind);
        await Assert.ThrowsAsync<ArgumentException>(() => test.Store.AddUserAsync(email, "A", "B", Cancel));
        Assert.Empty(await test.Store.ListUsersAsync(Cancel));
    }

    [StoreTheory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task Last_login_is_recorded(StoreKind kind)
    {
        await using var test = await TestAccountStore.CreateAsync(kind);
        var (user, _) = await test.Store.AddUserAsync("a@example.org", "Ada", "Lovelace", Cancel);
        var at = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

        await test.Store.RecordLoginAsync(user.Id, at, Cancel);

        Assert.Equal(at, (await test.Store.FindUserAsync(user.Email, Cancel))!.LastLogin);
    }

    [StoreTheory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task An_api_key_identifies_its_user_until_it_is_revoked(StoreKind kind)
    {
        await using var test = await TestAccountStore.CreateAsync(kind);
        var (user, _) = await test.Store.AddUserAsync("a@example.org", "Ada", "Lovelace", Cancel);

        var issued = await test.Store.CreateApiKeyAsync(user.Id, Cancel);

        Assert.StartsWith("ick_" + issued.Id + "_", issued.Key, StringComparison.Ordinal);
        Assert.Equal(user, await test.Store.FindUserByApiKeyAsync(issued.Key, Cancel));
        var listed = Assert.Single(await test.Store.ListApiKeysAsync(user.Id, Cancel));
        Assert.Equal((issued.Id, "a@example.org", (DateTimeOffset?)null), (listed.Id, listed.Email, listed.RevokedAt));

        Assert.True(await test.Store.RevokeApiKeyAsync(issued.Id, Cancel));
        Assert.False(await test.Store.RevokeApiKeyAsync(issued.Id, Cancel));
        Assert.Null(await test.Store.FindUserByApiKeyAsync(issued.Key, Cancel));
        Assert.NotNull(Assert.Single(await test.Store.ListApiKeysAsync(null, Cancel)).RevokedAt);
    }

    [StoreTheory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task Tampered_truncated_and_foreign_keys_identify_nobody(StoreKind kind)
    {
        await using var test = await TestAccountStore.CreateAsync(kind);
        var (user, _) = await test.Store.AddUserAsync("a@example.org", "Ada", "Lovelace", Cancel);
        var key = (await test.Store.CreateApiKeyAsync(user.Id, Cancel)).Key;
        var flipped = key[..^1] + (key[^1] == 'A' ? 'B' : 'A');

        foreach (var candidate in new[] { flipped, key[..^1], key + "A", ApiKeys.Generate().Key, "ick_", "", "ick_zzzzzzzzzzzz_" + new string('A', 43) })
        {
            Assert.Null(await test.Store.FindUserByApiKeyAsync(candidate, Cancel));
        }
    }

    [StoreTheory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task Cohorts_keep_their_definition_and_owner_and_list_only_for_their_owner(StoreKind kind)
    {
        await using var test = await TestAccountStore.CreateAsync(kind);
        var (ada, _) = await test.Store.AddUserAsync("a@example.org", "Ada", "Lovelace", Cancel);
        var (bob, _) = await test.Store.AddUserAsync("b@example.org", "Bob", "Builder", Cancel);
        var filters = """{"collection_id":["TCGA-LUAD"],"age_at_diagnosis_btw":[65,75.0]}""";

        var saved = await test.Store.CreateCohortAsync(new NewCohort(ada.Id, "lung", null, "23.0", "v1", filters), Cancel);
        await test.Store.CreateCohortAsync(Cohort(bob.Id), Cancel);

        Assert.Equal(saved, await test.Store.FindCohortAsync(saved.Id, Cancel));
        Assert.Equal(("Ada Lovelace", "lung", (string?)null, "23.0", "v1", filters, true),
            (saved.OwnerName, saved.Name, saved.Description, saved.IdcDataVersion, saved.FilterApi, saved.Filters, saved.IsActive));
        Assert.Equal([saved.Id], (await test.Store.ListActiveCohortsAsync(ada.Id, Cancel)).Select(c => c.Id));
        Assert.Null(await test.Store.FindCohortAsync(saved.Id + 1000, Cancel));
    }

    [StoreTheory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task Deleting_tells_deleted_not_found_not_owner_and_already_deleted_apart(StoreKind kind)
    {
        await using var test = await TestAccountStore.CreateAsync(kind);
        var (ada, _) = await test.Store.AddUserAsync("a@example.org", "Ada", "Lovelace", Cancel);
        var (bob, _) = await test.Store.AddUserAsync("b@example.org", "Bob", "Builder", Cancel);
        var cohort = await test.Store.CreateCohortAsync(Cohort(ada.Id), Cancel);

        Assert.Equal(CohortDeletionStatus.NotOwner, (await test.Store.DeleteCohortAsync(cohort.Id, bob.Id, Cancel)).Status);
        var deleted = await test.Store.DeleteCohortAsync(cohort.Id, ada.Id, Cancel);
        Assert.Equal(CohortDeletionStatus.Deleted, deleted.Status);
        Assert.Equal("c", deleted.Cohort!.Name);
        Assert.False(deleted.Cohort.IsActive);
        Assert.Equal(CohortDeletionStatus.AlreadyDeleted, (await test.Store.DeleteCohortAsync(cohort.Id, ada.Id, Cancel)).Status);
        Assert.Equal(CohortDeletionStatus.NotOwner, (await test.Store.DeleteCohortAsync(cohort.Id, bob.Id, Cancel)).Status);
        Assert.Equal(CohortDeletionStatus.NotFound, (await test.Store.DeleteCohortAsync(cohort.Id + 1, ada.Id, Cancel)).Status);
        Assert.Empty(await test.Store.ListActiveCohortsAsync(ada.Id, Cancel));
        Assert.False((await test.Store.FindCohortAsync(cohort.Id, Cancel))!.IsActive);
    }

    [StoreTheory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task Ids_of_deleted_cohorts_are_never_handed_out_again(StoreKind kind)
    {
        await using var test = await TestAccountStore.CreateAsync(kind);
        var (ada, _) = await test.Store.AddUserAsync("a@example.org", "Ada", "Lovelace", Cancel);
        var first = await test.Store.CreateCohortAsync(Cohort(ada.Id), Cancel);
        var second = await test.Store.CreateCohortAsync(Cohort(ada.Id), Cancel);
        await test.Store.DeleteCohortAsync(second.Id, ada.Id, Cancel);

        await using var reopened = test.Open();
        var third = await reopened.CreateCohortAsync(Cohort(ada.Id), Cancel);

        Assert.True(first.Id < second.Id && second.Id < third.Id, $"{first.Id} {second.Id} {third.Id}");
    }

    [StoreTheory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task Concurrent_creates_and_deletes_from_several_store_objects_lose_nothing(StoreKind kind)
    {
        await using var test = await TestAccountStore.CreateAsync(kind);
        var (ada, _) = await test.Store.AddUserAsync("a@example.org", "Ada", "Lovelace", Cancel);
        var replicas = new[] { test.Store, test.Open(), test.Open() };
        try
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(async () =>
            {
                var store = replicas[i % replicas.Length];
                var cohort = await store.CreateCohortAsync(Cohort(ada.Id, "c" + i), Cancel);
                var deleted = i % 3 == 0 && (await store.DeleteCohortAsync(cohort.Id, ada.Id, Cancel)).Status == CohortDeletionStatus.Deleted;
                return (cohort.Id, Name: "c" + i, Deleted: deleted);
            }, Cancel)));

            Assert.Equal(60, results.Select(r => r.Id).Distinct().Count());
            Assert.Equal(20, results.Count(r => r.Deleted));
            var active = await test.Store.ListActiveCohortsAsync(ada.Id, Cancel);
            Assert.Equal(results.Where(r => !r.Deleted).Select(r => (r.Id, r.Name)).Order(), active.Select(c => (c.Id, c.Name)).Order());
        }
        finally
        {
            await replicas[1].DisposeAsync();
            await replicas[2].DisposeAsync();
        }
    }

    [StoreTheory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task Times_come_from_the_clock_given_to_the_store(StoreKind kind)
    {
        await using var test = await TestAccountStore.CreateAsync(kind);
        var clock = new FakeTimeProvider(new DateTimeOffset(2021, 10, 5, 17, 3, 12, TimeSpan.Zero));
        await using var store = test.Open(clock);

        var (user, _) = await store.AddUserAsync("a@example.org", "Ada", "Lovelace", Cancel);
        var cohort = await store.CreateCohortAsync(Cohort(user.Id), Cancel);

        Assert.Equal(clock.GetUtcNow(), user.DateJoined);
        Assert.Equal(clock.GetUtcNow(), cohort.CreatedAt);
    }

    private static async Task<System.Data.Common.DbConnection> OpenRawAsync(TestAccountStore test)
    {
        System.Data.Common.DbConnection connection = test.Kind == StoreKind.Postgres
            ? new Npgsql.NpgsqlConnection(test.PostgresConnectionString)
            : new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + Path.Combine(test.Root, SqliteAccountStore.FileName));
        await connection.OpenAsync(Cancel);
        return connection;
    }
}
