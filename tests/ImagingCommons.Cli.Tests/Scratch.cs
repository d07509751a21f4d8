using ImagingCommons.Testing;

namespace ImagingCommons.Cli.Tests;

/// <summary>A temporary folder, deleted on dispose.</summary>
public sealed class Scratch : IDisposable
{
    public string Path { get; } = TempFolder.Create("idc-client");

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => TempFolder.Delete(Path);
}
