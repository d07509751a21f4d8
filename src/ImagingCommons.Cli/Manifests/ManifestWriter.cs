using System.Globalization;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using ImagingCommons.Contracts;

namespace ImagingCommons.Cli.Manifests;

/// <summary>The formats <c>idc manifest --format</c> writes (and <c>idc download-from-manifest</c> reads).</summary>
internal static class ManifestFormats
{
    public static readonly string[] All = ["json", "ndjson", "csv", "tsv", "parquet", "s5cmd"];

    /// <summary>The format a file name implies (by extension), or null.</summary>
    public static string? FromPath(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".json" => "json",
        ".ndjson" or ".jsonl" => "ndjson",
        ".csv" => "csv",
        ".tsv" or ".tab" => "tsv",
        ".parquet" => "parquet",
        ".s5cmd" => "s5cmd",
        _ => null,
    };
}

/// <summary>
/// Writes manifest rows as they arrive, page by page: JSON (an array of row objects, as <c>manifest_data</c>),
/// NDJSON (one object a line), CSV and TSV (a header; RFC 4180 quoting of fields with the delimiter, quotes or line
/// breaks; lists as JSON arrays; null as an empty field), Parquet (through DuckDB, typed from the values) or s5cmd
/// (IDC's <c>cp s3://bucket/&lt;crdc_series_uuid&gt;/* .</c> lines, one per series).
/// </summary>
internal abstract class ManifestWriter : IAsyncDisposable
{
    public long Rows { get; protected set; }

    public abstract Task WriteAsync(ResultRow row, CancellationToken cancellationToken);

    /// <summary>Ends the output (closing brackets, the Parquet file); <paramref name="fields"/> names the columns when no row came.</summary>
    public abstract Task CompleteAsync(IReadOnlyList<string> fields, CancellationToken cancellationToken);

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public static ManifestWriter Create(string format, TextWriter text, string? parquetPath, string s5cmdName) => format switch
    {
        "json" => new JsonRows(text, array: true),
        "ndjson" => new JsonRows(text, array: false),
        "csv" => new DelimitedRows(text, ','),
        "tsv" => new DelimitedRows(text, '\t'),
        "s5cmd" => new S5cmdLines(text, s5cmdName),
        "parquet" => new ParquetRows(parquetPath ?? throw new ArgumentException("Parquet needs --output FILE.", nameof(parquetPath))),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown manifest format."),
    };

    [ThreadStatic]
    private static (System.Buffers.ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Json)? _rowWriter;

    /// <summary>A row as one JSON object: the wire's types (strings, integers, numbers, lists of strings, null).</summary>
    internal static string JsonObject(ResultRow row)
    {
        // One buffer and writer per thread, reset for each row: a million rows make no million writers.
        _rowWriter ??= CreateRowWriter();
        var (buffer, json) = _rowWriter.Value;
        buffer.ResetWrittenCount();
        json.Reset(buffer);
        json.WriteStartObject();
        for (var i = 0; i < row.Columns.Count; i++)
        {
            json.WritePropertyName(row.Columns[i].Name);
            WriteValue(json, row[i]);
        }

        json.WriteEndObject();
        json.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static (System.Buffers.ArrayBufferWriter<byte>, Utf8JsonWriter) CreateRowWriter()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        return (buffer, new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string s:
                json.WriteStringValue(s);
                break;
            case long l:
                json.WriteNumberValue(l);
                break;
            case double d:
                json.WriteNumberValue(d);
                break;
            case IEnumerable<string?> list:
                json.WriteStartArray();
                foreach (var item in list)
                {
                    if (item is null)
                    {
                        json.WriteNullValue();
                    }
                    else
                    {
                        json.WriteStringValue(item);
                    }
                }

                json.WriteEndArray();
                break;
            default:
                json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>A value as the text of a CSV/TSV field: numbers in invariant digits, lists as JSON arrays, null as "".</summary>
    internal static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IEnumerable<string?> list => JsonSerializer.Serialize([.. list], CliJson.Default.ListString),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    private sealed class JsonRows(TextWriter output, bool array) : ManifestWriter
    {
        public override async Task WriteAsync(ResultRow row, CancellationToken cancellationToken)
        {
            if (array)
            {
                await output.WriteAsync(Rows == 0 ? "[\n" : ",\n");
                await output.WriteAsync(JsonObject(row));
            }
            else
            {
                await output.WriteLineAsync(JsonObject(row));
            }

            Rows++;
        }

        public override async Task CompleteAsync(IReadOnlyList<string> fields, CancellationToken cancellationToken)
        {
            if (array)
            {
                await output.WriteLineAsync(Rows == 0 ? "[]" : "\n]");
            }

            await output.FlushAsync(cancellationToken);
        }
    }

    private sealed class DelimitedRows(TextWriter output, char delimiter) : ManifestWriter
    {
        private IReadOnlyList<string>? _header;

        public override async Task WriteAsync(ResultRow row, CancellationToken cancellationToken)
        {
            if (_header is null)
            {
                _header = [.. row.Columns.Select(c => c.Name)];
                await output.WriteAsync(Line(_header.Cast<object?>()));
            }

            await output.WriteAsync(Line(_header.Select(name => row[name])));
            Rows++;
        }

        public override async Task CompleteAsync(IReadOnlyList<string> fields, CancellationToken cancellationToken)
        {
            if (_header is null)
            {
                await output.WriteAsync(Line(fields.Cast<object?>()));
            }

            await output.FlushAsync(cancellationToken);
        }

        private string Line(IEnumerable<object?> values) => string.Join(delimiter, values.Select(v => Field(Text(v)))) + "\n";

        private string Field(string? value)
        {
            if (value is null)
            {
                return "";
            }

            return value.Contains(delimiter, StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal)
                || value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal)
                ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
                : value;
        }
    }

    /// <summary>
    /// IDC's s5cmd manifest: its three comment lines, then <c>cp s3://&lt;bucket&gt;/&lt;prefix&gt;/* .</c> per series, the
    /// prefix being the folder of the series' instances (the rows carry crdc_series_uuid and aws_url, ordered by series).
    /// </summary>
    private sealed class S5cmdLines(TextWriter output, string name) : ManifestWriter
    {
        private string? _lastSeries;

        public override async Task WriteAsync(ResultRow row, CancellationToken cancellationToken)
        {
            if (Rows == 0 && _lastSeries is null)
            {
                await output.WriteLineAsync("# To download the files in this manifest, first install s5cmd (https://github.com/peak/s5cmd),");
                await output.WriteLineAsync("# then run the following command:");
                await output.WriteLineAsync($"# s5cmd --no-sign-request --endpoint-url https://s3.amazonaws.com run {name}");
            }

            var series = row.GetString("crdc_series_uuid");
            var url = row.GetString("aws_url");
            if (series is null || url is null || series == _lastSeries)
            {
                return;
            }

            var slash = url.LastIndexOf('/');
            if (!url.StartsWith("s3://", StringComparison.Ordinal) || slash <= "s3://".Length)
            {
                return;
            }

            _lastSeries = series;
            await output.WriteLineAsync($"cp {url[..(slash + 1)]}* .");
            Rows++;
        }

        public override Task CompleteAsync(IReadOnlyList<string> fields, CancellationToken cancellationToken) => output.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Rows go to a temporary NDJSON file while each column's type is worked out from its values (BIGINT, DOUBLE,
    /// VARCHAR, VARCHAR[]); DuckDB then reads it with those types and writes the Parquet file.
    /// </summary>
    private sealed class ParquetRows(string path) : ManifestWriter
    {
        private readonly string _temp = Path.Combine(Path.GetTempPath(), "idc-manifest-" + Guid.NewGuid().ToString("N") + ".ndjson");
        private readonly Dictionary<string, string> _types = new(StringComparer.Ordinal);
        private readonly List<string> _order = [];
        private StreamWriter? _writer;

        public override async Task WriteAsync(ResultRow row, CancellationToken cancellationToken)
        {
            _writer ??= new StreamWriter(_temp, append: false, new UTF8Encoding(false));
            for (var i = 0; i < row.Columns.Count; i++)
            {
                var name = row.Columns[i].Name;
                if (!_types.TryGetValue(name, out var type))
                {
                    _order.Add(name);
                    type = "NULL";
                }

                _types[name] = Widen(type, row[i]);
            }

            await _writer.WriteLineAsync(JsonObject(row));
            Rows++;
        }

        private static string Widen(string type, object? value) => (type, value) switch
        {
            (_, null) => type,
            ("NULL", long) => "BIGINT",
            ("NULL", double) => "DOUBLE",
            ("BIGINT", double) => "DOUBLE",
            ("BIGINT" or "DOUBLE", long or double) => type,
            ("NULL", IEnumerable<string?>) => "VARCHAR[]",
            ("VARCHAR[]", IEnumerable<string?>) => type,
            _ => "VARCHAR",
        };

        public override async Task CompleteAsync(IReadOnlyList<string> fields, CancellationToken cancellationToken)
        {
            if (_writer is not null)
            {
                await _writer.DisposeAsync();
                _writer = null;
            }

            var columns = _order.Count > 0 ? _order : [.. fields];
            using var connection = new DuckDBConnection("DataSource=:memory:");
            await connection.OpenAsync(cancellationToken);
            using var command = connection.CreateCommand();
            var typed = string.Join(", ", columns.Select(c => $"{Literal(c)}: {Literal(_types.GetValueOrDefault(c, "NULL") is "NULL" ? "VARCHAR" : _types[c])}"));
            var select = Rows > 0
                ? $"SELECT {string.Join(", ", columns.Select(Identifier))} FROM read_json({Literal(_temp)}, format = 'newline_delimited', columns = {{{typed}}})"
                : $"SELECT {string.Join(", ", columns.Select(c => "CAST(NULL AS VARCHAR) AS " + Identifier(c)))} WHERE false";
            var staging = path + ".part";
            command.CommandText = $"COPY ({select}) TO {Literal(staging)} (FORMAT parquet)";
            await command.ExecuteNonQueryAsync(cancellationToken);
            File.Move(staging, path, overwrite: true);
        }

        public override ValueTask DisposeAsync()
        {
            _writer?.Dispose();
            File.Delete(_temp);
            return ValueTask.CompletedTask;
        }

        private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

        private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}

/// <summary>Source-generated JSON for the CLI's own values.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(List<string?>), TypeInfoPropertyName = "ListString")]
internal sealed partial class CliJson : System.Text.Json.Serialization.JsonSerializerContext;
