using Xunit.Sdk;
using Xunit.v3;

namespace ImagingCommons.Testing;

/// <summary>
/// A fact of the account-store tests that runs once per store. Its PostgreSQL cases exist only when
/// IMAGINGCOMMONS_TEST_POSTGRES names a server: without one they are not discovered at all (rather than reported as
/// a hundred skips), and each test project says so once, in <see cref="PostgresAvailability"/>.
/// </summary>
[XunitTestCaseDiscoverer(typeof(StoreFactDiscoverer))]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>A theory of the account-store tests; see <see cref="StoreFactAttribute"/>.</summary>
[XunitTestCaseDiscoverer(typeof(StoreTheoryDiscoverer))]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreTheoryAttribute : TheoryAttribute;

public sealed class StoreFactDiscoverer : FactDiscoverer
{
    public override async ValueTask<IReadOnlyCollection<IXunitTestCase>> Discover(
        ITestFrameworkDiscoveryOptions discoveryOptions, IXunitTestMethod testMethod, IFactAttribute factAttribute) =>
        PostgresCases.Drop(await base.Discover(discoveryOptions, testMethod, factAttribute));
}

public sealed class StoreTheoryDiscoverer : TheoryDiscoverer
{
    public override async ValueTask<IReadOnlyCollection<IXunitTestCase>> Discover(
        ITestFrameworkDiscoveryOptions discoveryOptions, IXunitTestMethod testMethod, IFactAttribute factAttribute) =>
        PostgresCases.Drop(await base.Discover(discoveryOptions, testMethod, factAttribute));
}

internal static class PostgresCases
{
    /// <summary>Without a configured server: no case of a PostgreSQL test class, no case whose data names the PostgreSQL store.</summary>
    public static IReadOnlyCollection<IXunitTestCase> Drop(IReadOnlyCollection<IXunitTestCase> cases) =>
        TestPostgres.ConnectionString is not null
            ? cases
            : [.. cases.Where(c => !IsPostgres(c))];

    private static bool IsPostgres(IXunitTestCase testCase) =>
        testCase.TestMethod.TestClass.Class.Name.StartsWith("Postgres", StringComparison.Ordinal)
        || (testCase is XunitTestCase { TestMethodArguments: { } arguments } && arguments.Any(a => a is StoreKind.Postgres));
}

/// <summary>The one notice a test project gives when its PostgreSQL tests are not run (derive a class from it).</summary>
public abstract class PostgresAvailability
{
    [Fact]
    public void PostgreSQL_store_tests_run_when_IMAGINGCOMMONS_TEST_POSTGRES_names_a_server() => TestPostgres.SkipIfUnavailable();
}
