using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImagingCommons.Data.Releases;

/// <summary>One entry of the release list: every IDC data version the server reports, held on disk or not.</summary>
/// <param name="Synthetic">The held release of this version was made by the generator (its URLs name no real objects).</param>
public sealed record VersionEntry(
    [property: JsonPropertyName("idc_data_version")] string IdcDataVersion,
    [property: JsonPropertyName("date_active")] string DateActive,
    [property: JsonPropertyName("synthetic"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Synthetic = false);

/// <summary>
/// The data directory: <c>releases.json</c> (the version list with dates) and <c>releases/&lt;version&gt;/</c>,
/// one immutable folder of Parquet tables per held release. The current release is the newest held one.
/// Writers stage under <c>.staging/</c> and publish with a rename, so readers never see a partial release.
/// </summary>
public sealed class DataDirectory
{
    public const string ReleaseListFile = "releases.json";
    public const string ReleaseInfoFile = "release.json";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public DataDirectory(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
    }

    public string Path { get; }

    public string ReleasesPath => System.IO.Path.Combine(Path, "releases");

    public string StagingPath => System.IO.Path.Combine(Path, ".staging");

    public string ReleasePath(string version) => System.IO.Path.Combine(ReleasesPath, version);

    public string TablePath(string version, string table) => System.IO.Path.Combine(ReleasePath(version), table + ".parquet");

    public bool HasTable(string version, string table) => File.Exists(TablePath(version, table));

    /// <summary>Held releases, oldest first.</summary>
    public IReadOnlyList<string> HeldReleases()
    {
        if (!Directory.Exists(ReleasesPath))
        {
            return [];
        }

        return Directory.EnumerateDirectories(ReleasesPath)
            .Select(System.IO.Path.GetFileName)
            .Where(name => ReleaseVersion.TryParse(name, out _)
                && File.Exists(System.IO.Path.Combine(ReleasesPath, name!, ReleaseInfoFile)))
            .Select(name => name!)
            .OrderBy(ReleaseVersion.Parse)
            .ToList();
    }

    public string? CurrentRelease => HeldReleases().LastOrDefault();

    public bool IsHeld(string version) => HeldReleases().Contains(version, StringComparer.Ordinal);

    /// <summary>The version list, oldest first; held releases missing from the list are added from their own info.</summary>
    public IReadOnlyList<VersionEntry> ReadVersions()
    {
        var entries = new Dictionary<string, VersionEntry>(StringComparer.Ordinal);
        var listPath = System.IO.Path.Combine(Path, ReleaseListFile);
        if (File.Exists(listPath))
        {
            var list = JsonSerializer.Deserialize<ReleaseList>(File.ReadAllText(listPath), JsonOptions);
            foreach (var entry in list?.Versions ?? [])
            {
                entries[entry.IdcDataVersion] = entry;
            }
        }

        foreach (var held in HeldReleases())
        {
            if (!entries.ContainsKey(held))
            {
                var info = ReadReleaseInfo(held);
                entries[held] = new VersionEntry(held, info.DateActive, info.Synthetic);
            }
        }

        return entries.Values.OrderBy(e => ReleaseVersion.Parse(e.IdcDataVersion)).ToList();
    }

    public ReleaseInfo ReadReleaseInfo(string version)
    {
        var text = File.ReadAllText(System.IO.Path.Combine(ReleasePath(version), ReleaseInfoFile));
        return JsonSerializer.Deserialize<ReleaseInfo>(text, JsonOptions)
            ?? throw new InvalidDataException($"{ReleaseInfoFile} of release {version} is empty.");
    }

    /// <summary>Adds or replaces entries of the version list (atomic write).</summary>
    public void WriteVersions(IEnumerable<VersionEntry> versions)
    {
        var merged = new Dictionary<string, VersionEntry>(StringComparer.Ordinal);
        foreach (var entry in ReadVersions())
        {
            merged[entry.IdcDataVersion] = entry;
        }

        foreach (var entry in versions)
        {
            // A synthetic release stays marked when the list is written again without the mark.
            var wasSynthetic = merged.TryGetValue(entry.IdcDataVersion, out var old) && old.Synthetic;
            merged[entry.IdcDataVersion] = entry with { Synthetic = entry.Synthetic || wasSynthetic };
        }

        var list = new ReleaseList(merged.Values.OrderBy(e => ReleaseVersion.Parse(e.IdcDataVersion)).ToList());
        Directory.CreateDirectory(Path);
        WriteAtomically(System.IO.Path.Combine(Path, ReleaseListFile), JsonSerializer.Serialize(list, JsonOptions));
    }

    internal static void WriteReleaseInfo(string releaseFolder, ReleaseInfo info) =>
        WriteAtomically(System.IO.Path.Combine(releaseFolder, ReleaseInfoFile), JsonSerializer.Serialize(info, JsonOptions));

    internal static void WriteAtomically(string path, string content)
    {
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(temp, content);
        File.Move(temp, path, overwrite: true);
    }

    private sealed record ReleaseList([property: JsonPropertyName("versions")] IReadOnlyList<VersionEntry> Versions);
}

/// <summary>Facts about one held release, written once when it is published.</summary>
/// <param name="Synthetic">Made by the generator: its rows describe no real images and its URLs name no real objects.</param>
public sealed record ReleaseInfo(
    [property: JsonPropertyName("idc_data_version")] string IdcDataVersion,
    [property: JsonPropertyName("date_active")] string DateActive,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("row_counts")] IReadOnlyDictionary<string, long> RowCounts,
    [property: JsonPropertyName("synthetic"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Synthetic = false);
