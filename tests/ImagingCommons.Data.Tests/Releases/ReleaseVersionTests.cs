using ImagingCommons.Data.Releases;

using ImagingCommons.Testing;

namespace ImagingCommons.Data.Tests.Releases;

public class ReleaseVersionTests
{
    [Theory]
    [InlineData("24.0", 24, 0)]
    [InlineData("1.0", 1, 0)]
    public void Parses_api_version_strings(string text, int major, int minor)
    {
        Assert.Equal(new ReleaseVersion(major, minor), ReleaseVersion.Parse(text));
        Assert.Equal(text, ReleaseVersion.Parse(text).ToString());
    }

    [Theory]
    [InlineData("14")]
    [InlineData(" 17.0")]
    [InlineData("foo")]
    [InlineData("")]
    public void Rejects_what_is_not_a_version(string text) => Assert.False(ReleaseVersion.TryParse(text, out _));

    [Fact]
    public void Orders_numerically_not_as_text() => Assert.True(ReleaseVersion.Parse("9.0") < ReleaseVersion.Parse("10.0"));
}
