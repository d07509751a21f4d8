using ImagingCommons.Testing;

namespace ImagingCommons.Cli.Tests;

/// <summary>
/// A hand-made release whose instances are real objects in the S3 store: each instance's aws_url names an object of
/// the test's own bucket (IDC's layout, &lt;crdc_series_uuid&gt;/&lt;crdc_instance_uuid&gt;.dcm) holding seeded random
/// bytes of its instance_size, so a download's files can be compared byte for byte with what was put.
/// </summary>
public sealed class StoreRelease : IDisposable
{
    private StoreRelease(HandMadeRelease release, string bucket, IReadOnlyList<StoredInstance> instances)
    {
        Release = release;
        Bucket = bucket;
        Instances = instances;
    }

    public HandMadeRelease Release { get; }

    public string Bucket { get; }

    public IReadOnlyList<StoredInstance> Instances { get; }

    /// <summary>One instance: its attributes, its object and its bytes.</summary>
    public sealed record StoredInstance(string Collection, string Patient, string Study, string Series, string Sop, string Modality, string SeriesUuid, string InstanceUuid, byte[] Bytes)
    {
        public string Key => SeriesUuid + "/" + InstanceUuid + ".dcm";

        /// <summary>Where idc-index's default template puts it: collection/patient/study/Modality_series/file.</summary>
        public string DefaultPath(string root) => Path.Combine(root, Collection, Patient, Study, Modality + "_" + Series, InstanceUuid + ".dcm");
    }

    /// <summary>(collection, patient, study, series, modality, instances of the series, bytes of each instance).</summary>
    public static async Task<StoreRelease> CreateAsync(MotoS3 store, params (string Collection, string Patient, string Study, string Series, string Modality, int Instances, int Size)[] series)
    {
        var bucket = await store.CreateBucketAsync("idc");
        var random = new Random(20261202);
        var instances = new List<StoredInstance>();
        var sop = 0;
        foreach (var s in series)
        {
            for (var i = 0; i < s.Instances; i++)
            {
                var uid = $"3.{++sop}";
                var bytes = new byte[s.Size];
                random.NextBytes(bytes);
                instances.Add(new StoredInstance(s.Collection, s.Patient, s.Study, s.Series, uid, s.Modality, HandMadeRelease.SeriesUuid(s.Series), HandMadeRelease.InstanceUuid(uid), bytes));
            }
        }

        var release = new HandMadeRelease();
        release.Write("24.0", instances.Select(i =>
        {
            var row = HandMadeRelease.Instance(i.Collection, i.Patient, i.Study, i.Series, i.Sop, i.Modality, size: i.Bytes.Length);
            row["aws_bucket"] = bucket;
            row["aws_url"] = $"s3://{bucket}/{i.Key}";
            return row;
        }));
        foreach (var instance in instances)
        {
            await store.PutAsync(bucket, instance.Key, instance.Bytes);
        }

        return new StoreRelease(release, bucket, instances);
    }

    public void Dispose() => Release.Dispose();
}
