using System.Buffers.Binary;
using ImagingCommons.Data.Ingest;
using ImagingCommons.Data.Releases;
using ImagingCommons.Data.Schema;
using ImagingCommons.Testing;
using ImagingCommons.Testing.Dicom;

namespace ImagingCommons.Data.Tests.Ingest;

public sealed class IngestFuzzTests : IDisposable
{
    private readonly string _input = TempFolder.Create("ic-fuzz-in");
    private readonly DataDirectory _data = new(TempFolder.Create("ic-fuzz-data"));

    [Fact]
    public void The_good_files_land_beside_thousands_of_damaged_ones_and_every_file_is_accounted_for()
    {
        // Good files first in path order, so that a damaged copy that still reads is the duplicate, not the original.
        var good = DicomSamples.Samples.Where(n => n != "test-SR.dcm" && n != "ExplVR_BigEnd.dcm" && n != "MR_small_jp2klossless.dcm").ToList();
        foreach (var name in good)
        {
            File.Copy(DicomSamples.Sample(name), Path.Combine(_input, "a-good-" + name));
        }

        var random = new Random(1202);
        const int damaged = 2000;
        for (var i = 0; i < damaged; i++)
        {
            var bytes = File.ReadAllBytes(DicomSamples.Sample(good[i % good.Count]));
            switch (i % 4)
            {
                case 0:
                    bytes = bytes[..random.Next(0, bytes.Length)];
                    break;
                case 1:
                    for (var k = 0; k < 6; k++)
                    {
                        bytes[random.Next(0, Math.Min(bytes.Length, 2048))] ^= (byte)random.Next(1, 256);
                    }

                    break;
                case 2:
                    BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(random.Next(132, Math.Min(bytes.Length - 4, 2048))), 0xFFFFFFF0);
                    break;
                default:
                    random.NextBytes(bytes.AsSpan(132));
                    break;
            }

            File.WriteAllBytes(Path.Combine(_input, $"z-fuzz-{i:D5}"), bytes);
        }

        var observer = new RecordingObserver();
        var report = DicomIngest.Ingest(_data, new IngestOptions("1.0", "2026-03-01", [_input], "fuzz"), observer, TestContext.Current.CancellationToken);

        Assert.Equal(good.Count + damaged, report.FilesIngested + report.Skipped + report.Duplicates);
        Assert.Equal(observer.Skips.Count, report.Skipped);
        Assert.True(report.Skipped > damaged / 4, $"only {report.Skipped} of {damaged} damaged files were refused");
        Assert.All(observer.Skips, s => Assert.Contains("z-fuzz-", s.Path, StringComparison.Ordinal));
        // Every refusal is the reader's or the mapper's reasoned one, never an unexpected exception caught as a last resort.
        Assert.DoesNotContain(observer.Skips, s => s.Reason.StartsWith("could not be read", StringComparison.Ordinal));
        var hashes = IngestFolder.ReadParquet(_data.TablePath("1.0", IdcSchema.DicomPivotName)).Select(r => (string)r["instance_hash"]!).ToHashSet(StringComparer.Ordinal);
        foreach (var name in good)
        {
            Assert.Contains(IngestFolder.Md5Sum(Path.Combine(_input, "a-good-" + name)), hashes);
        }
    }

    public void Dispose()
    {
        TempFolder.Delete(_input);
        TempFolder.Delete(_data.Path);
    }
}
