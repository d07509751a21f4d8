using System.Globalization;
using ImagingCommons.Cli.Commands;
using ImagingCommons.Data.Releases;
using ImagingCommons.Testing;

namespace ImagingCommons.Cli.Tests;

public sealed class GenerateCommandTests
{
    [Fact]
    public async Task The_generate_verb_writes_both_releases_and_exits_with_zero()
    {
        var folder = TempFolder.Create("idc-gen-cli");
        try
        {
            var exit = await GenerateCommand.Create().Parse(["--data", folder, "--scale", "0.001", "--seed", "3"]).InvokeAsync(cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(0, exit);
            Assert.Equal(new[] { "23.0", "24.0" }, new DataDirectory(folder).HeldReleases());
            Assert.Equal("generator seed=3 scale=0.001", new DataDirectory(folder).ReadReleaseInfo("24.0").Source);
        }
        finally
        {
            TempFolder.Delete(folder);
        }
    }

    [Fact]
    public async Task The_generate_verb_fails_with_a_message_on_a_bad_scale()
    {
        var folder = TempFolder.Create("idc-gen-cli-bad");
        var error = Console.Error;
        using var captured = new StringWriter(CultureInfo.InvariantCulture);
        try
        {
            Console.SetError(captured);
            var exit = await GenerateCommand.Create().Parse(["--data", folder, "--scale", "0"]).InvokeAsync(cancellationToken: TestContext.Current.CancellationToken);
            Assert.NotEqual(0, exit);
            Assert.Contains("Scale must be", captured.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Console.SetError(error);
            TempFolder.Delete(folder);
        }
    }
}
