using System.Text.Json;
using ImagingCommons.Data.Query;

namespace ImagingCommons.Data.Tests.Query;

public sealed class QuerySpecTests
{
    /// <summary>
    /// Canonical JSON texts and result keys written by the string-typed QuerySpec of earlier versions (captured from
    /// its reflection serializer before the typed model replaced it): tokens in clients' hands carry these texts.
    /// </summary>
    public static TheoryData<QueryKind, ApiVersion, string, string[], bool, bool, string?, string, string> Earlier => new()
    {
        { QueryKind.V2Manifest, ApiVersion.V2, """{"Modality":["CT"]}""", ["SeriesInstanceUID"], true, false, null,
          """{"k":"v2-manifest","f":{"Modality":["CT"]},"o":["SeriesInstanceUID"],"c":true,"g":false,"Version":1}""", "5ba19955be2315f4e71e79c5" },
        { QueryKind.V2Manifest, ApiVersion.V2, """{"modality":["mr"],"BODYPARTEXAMINED":["CHEST"],"SliceThickness_btw":[2.0,5.0],"age_at_diagnosis_gte":[1e1]}""", ["collection_id", "PatientID"], true, true, null,
          """{"k":"v2-manifest","f":{"Modality":["mr"],"BodyPartExamined":["CHEST"],"SliceThickness_btw":[2.0,5.0],"age_at_diagnosis_gte":[1e1]},"o":["collection_id","PatientID"],"c":true,"g":true,"Version":1}""", "d189f69cb54fb62620526ecc" },
        { QueryKind.V2Manifest, ApiVersion.V2, """{"collection_id":["TCGA-LUAD","tcga kirc"],"Modality":["CT"],"Modality":["SR"]}""", [], true, false, null,
          """{"k":"v2-manifest","f":{"collection_id":["TCGA-LUAD","tcga kirc"],"Modality":["SR"]},"o":[],"c":true,"g":false,"Version":1}""", "fa9cf6e3a811db4417c64cbc" },
        { QueryKind.V2Manifest, ApiVersion.V2, """{"PatientID":["<a&b>'+\u00e9\u4e2d\ud83d\ude00\"\\/\n"]}""", ["SOPInstanceUID"], false, false, null,
          """{"k":"v2-manifest","f":{"PatientID":["\u003Ca\u0026b\u003E\u0027\u002B\u00E9\u4E2D\uD83D\uDE00\u0022\\/\n"]},"o":["SOPInstanceUID"],"c":false,"g":false,"Version":1}""", "fbbe6c34a193acfe53507b5e" },
        { QueryKind.V2Manifest, ApiVersion.V1, """{"SliceThickness_lte":[-0.50],"SliceThickness":[3],"bmi_ebtwe":[1.0E+1, 25.000]}""", ["StudyDate"], false, true, null,
          """{"k":"v2-manifest","f":{"SliceThickness_lte":[-0.50],"SliceThickness":[3],"bmi_ebtwe":[1.0E+1,25.000]},"o":["StudyDate"],"c":false,"g":true,"fv":"v1","Version":1}""", "dfc32b5fa6ba7f62d54b67e1" },
        { QueryKind.V1Manifest, ApiVersion.V1, """{"collection_id":["TCGA-LUAD"],"Modality":["CT","MR"]}""", ["Collection_ID", "GCS_URL"], false, false, null,
          """{"k":"v1-manifest","f":{"collection_id":["TCGA-LUAD"],"Modality":["CT","MR"]},"o":["Collection_ID","GCS_URL"],"c":false,"g":false,"Version":0}""", "16b1628305af12ddf568b955" },
        { QueryKind.V1Query, ApiVersion.V2, """{"SliceThickness_btw":[1, 2.50]}""", ["SeriesInstanceUID", "Modality"], false, false, null,
          """{"k":"v1-query","f":{"SliceThickness_btw":[1,2.50]},"o":["SeriesInstanceUID","Modality"],"c":false,"g":false,"fv":"v2","Version":0}""", "ff14230ccfdbc5f48de29c1a" },
        { QueryKind.V1DicomMetadata, ApiVersion.V1, "{}", [], false, false, null,
          """{"k":"v1-dicom","f":{},"o":[],"c":false,"g":false,"Version":0}""", "0a3cfa8b8ae35c776e98fdb0" },
        { QueryKind.V1CohortObjects, ApiVersion.V1, """{"collection_id":["nlst"],"age_at_diagnosis":[66]}""", [], false, false, "Series",
          """{"k":"v1-cohort-objects","f":{"collection_id":["nlst"],"age_at_diagnosis":[66]},"o":[],"c":false,"g":false,"l":"Series","Version":0}""", "8016ce6395a1c4ddf8101abb" },
        { QueryKind.V1CohortObjects, ApiVersion.V2, """{"Collection_Id":["NLST"]}""", [], false, false, "Study",
          """{"k":"v1-cohort-objects","f":{"collection_id":["NLST"]},"o":[],"c":false,"g":false,"l":"Study","fv":"v2","Version":0}""", "7cab66cb131a1ccf7e1920b9" },
    };

    [Theory]
    [MemberData(nameof(Earlier))]
    public void The_canonical_json_and_result_key_are_those_of_earlier_versions(
        QueryKind kind, ApiVersion filterRules, string filters, string[] fields, bool counts, bool groupSize, string? level, string canonical, string key)
    {
        var spec = new QuerySpec { Kind = kind, Filters = Parse(filterRules, filters), Fields = fields, Counts = counts, GroupSize = groupSize, Level = level };

        Assert.Equal(canonical, spec.ToCanonicalJson());
        Assert.Equal(key, QueryEngine.ResultKey("24.0", spec));
    }

    [Theory]
    [MemberData(nameof(Earlier))]
    public void A_canonical_json_text_of_an_earlier_version_decodes_to_the_same_query(
        QueryKind kind, ApiVersion filterRules, string filters, string[] fields, bool counts, bool groupSize, string? level, string canonical, string key)
    {
        _ = filters;
        var spec = QuerySpec.FromCanonicalJson(canonical);

        Assert.NotNull(spec);
        Assert.Equal(kind, spec.Kind);
        Assert.Equal(filterRules, spec.FilterVersion);
        Assert.Equal(fields, spec.Fields);
        Assert.Equal((counts, groupSize, level), (spec.Counts, spec.GroupSize, spec.Level));
        Assert.Equal(canonical, spec.ToCanonicalJson());
        Assert.Equal(key, QueryEngine.ResultKey("24.0", spec));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"f":{}}""")]
    [InlineData("""{"k":"v3-manifest","f":{}}""")]
    [InlineData("""{"k":"v2-manifest"}""")]
    [InlineData("""{"k":"v2-manifest","f":{"NoSuchFilter":["x"]}}""")]
    [InlineData("""{"k":"v2-manifest","f":{"Modality":"CT"}}""")]
    [InlineData("""{"k":"v2-manifest","f":{},"fv":"v9"}""")]
    [InlineData("""{"k":"v2-manifest","f":{},"o":[1]}""")]
    public void A_text_that_is_not_a_valid_query_decodes_to_nothing(string text)
    {
        Assert.Null(QuerySpec.FromCanonicalJson(text));
    }

    [Fact]
    public void Filters_are_typed_once_with_their_operators_and_numbers_as_sent()
    {
        var set = Parse(ApiVersion.V2, """{"Modality":["CT","None"],"SliceThickness_ebtw":[1.50,3],"age_at_diagnosis_gte":[6.5e1],"ObjectiveLensPower":[20, 40.0]}""");

        Assert.Collection(
            set.Entries,
            e => Assert.Equal(["CT", "None"], Assert.IsType<TextFilter>(e).Values),
            e =>
            {
                var range = Assert.IsType<RangeFilter>(e);
                Assert.Equal((RangeOperator.Ebtw, 1.5, "1.50", 3.0, "3"), (range.Operator, range.Low.Value, range.Low.Text, range.High.Value, range.High.Text));
            },
            e =>
            {
                var range = Assert.IsType<RangeFilter>(e);
                Assert.Equal((RangeOperator.Gte, 65.0, "6.5e1"), (range.Operator, range.Low.Value, range.Low.Text));
            },
            e => Assert.Equal(["20", "40.0"], Assert.IsType<NumberSetFilter>(e).TextValues));
    }

    [Fact]
    public void A_bare_v1_ranged_key_means_equality()
    {
        var range = Assert.IsType<RangeFilter>(Assert.Single(Parse(ApiVersion.V1, """{"SliceThickness":[2.0]}""").Entries));

        Assert.Equal((RangeOperator.Eq, "", "2.0"), (range.Operator, range.Suffix, range.Low.Text));
    }

    [Fact]
    public void The_echo_keeps_numbers_as_sent_and_normalises_collection_ids_only_when_asked()
    {
        var set = Parse(ApiVersion.V2, """{"Collection_ID":["TCGA-LUAD","tcga kirc"],"SliceThickness_btw":[1.0,2.50e0]}""");

        Assert.Equal("""{"collection_id":["TCGA-LUAD","tcga kirc"],"SliceThickness_btw":[1.0,2.50e0]}""", set.ToJson(false).ToJsonString());
        Assert.Equal("""{"collection_id":["tcga_luad","tcga_kirc"],"SliceThickness_btw":[1.0,2.50e0]}""", set.ToJson(true).ToJsonString());
        Assert.Equal("tcga_luad tcga kirc", string.Join(' ', Parse(ApiVersion.V1, """{"collection_id":["TCGA-LUAD","tcga kirc"]}""").ToJson(true)["collection_id"]!.AsArray().Select(v => (string)v!)));
    }

    [Fact]
    public void WriteTo_writes_what_ToJson_holds()
    {
        var set = Parse(ApiVersion.V2, """{"PatientID":["a\"b","é"],"ObjectiveLensPower":[1.0]}""");
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            set.WriteTo(writer, normalizeCollectionIds: true);
        }

        Assert.Equal(set.ToJson(true).ToJsonString(), System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public void A_string_with_a_lone_surrogate_is_refused_with_a_message()
    {
        using var document = JsonDocument.Parse("""{"PatientID":["\ud800x"]}""");

        Assert.False(FilterParser.TryParseV2(document.RootElement, out _, out var error));
        Assert.Equal("A value of PatientID is not valid Unicode text.", error);
    }

    private static FilterSet Parse(ApiVersion version, string json)
    {
        using var document = JsonDocument.Parse(json);
        Assert.True(FilterParser.TryParse(version, document.RootElement, out var set, out var error), error);
        return set;
    }
}
