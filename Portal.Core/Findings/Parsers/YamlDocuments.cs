using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Portal.Core.Findings.Parsers;

/// <summary>
/// Converts a YAML stream (as <c>kubectl get -o yaml</c> writes it) into one JSON document per YAML document, so the
/// same strict DTOs read YAML and JSON reports.
/// </summary>
/// <remarks>
/// Works from YamlDotNet's event parser, which is iterative, rather than its node model, which recurses: a deeply
/// nested body must not overflow the stack. Aliases are rejected because Kubernetes never writes them and expanding
/// them is how a small YAML body becomes a huge one. Plain scalars are typed by the YAML 1.2 core schema (null,
/// booleans, numbers); everything quoted or in block style stays a string.
/// </remarks>
internal static class YamlDocuments
{
    private const int MaxDepth = 64;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static IReadOnlyList<byte[]> ToJson(ReadOnlySpan<byte> yaml, string what)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(yaml);
        }
        catch (DecoderFallbackException)
        {
            throw new ScanReportFormatException($"{what}: the YAML body is not valid UTF-8.");
        }

        var documents = new List<byte[]>();
        try
        {
            var parser = new Parser(new StringReader(text));
            ArrayBufferWriter<byte>? buffer = null;
            Utf8JsonWriter? writer = null;
            var open = new List<Frame>();
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case DocumentStart:
                        buffer = new ArrayBufferWriter<byte>();
                        writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { MaxDepth = MaxDepth + 1 });
                        break;
                    case DocumentEnd:
                        writer!.Flush();
                        documents.Add(buffer!.WrittenSpan.ToArray());
                        writer.Dispose();
                        writer = null;
                        break;
                    case AnchorAlias alias:
                        throw new ScanReportFormatException(
                            $"{what}: YAML aliases are not accepted (*{alias.Value} at line {alias.Start.Line}, column {alias.Start.Column}).");
                    case MappingStart mapping:
                        Open(open, mapping, what);
                        writer!.WriteStartObject();
                        open.Add(Frame.MappingKey);
                        break;
                    case SequenceStart sequence:
                        Open(open, sequence, what);
                        writer!.WriteStartArray();
                        open.Add(Frame.Sequence);
                        break;
                    case MappingEnd:
                        open.RemoveAt(open.Count - 1);
                        writer!.WriteEndObject();
                        ValueWritten(open);
                        break;
                    case SequenceEnd:
                        open.RemoveAt(open.Count - 1);
                        writer!.WriteEndArray();
                        ValueWritten(open);
                        break;
                    case Scalar scalar when open.Count > 0 && open[^1] == Frame.MappingKey:
                        writer!.WritePropertyName(scalar.Value);
                        open[^1] = Frame.MappingValue;
                        break;
                    case Scalar scalar:
                        WriteScalar(writer!, scalar);
                        ValueWritten(open);
                        break;
                }
            }
        }
        catch (YamlException ex)
        {
            throw new ScanReportFormatException(
                $"{what}: the body is not JSON, and as YAML it is not well formed at line {ex.Start.Line}, "
                + $"column {ex.Start.Column}: {ex.Message}",
                ex);
        }

        return documents;
    }

    private enum Frame
    {
        MappingKey,
        MappingValue,
        Sequence,
    }

    private static void Open(List<Frame> open, ParsingEvent node, string what)
    {
        if (open.Count > 0 && open[^1] == Frame.MappingKey)
        {
            throw new ScanReportFormatException(
                $"{what}: YAML mapping keys must be plain values (a collection is used as a key at line {node.Start.Line}).");
        }

        if (open.Count >= MaxDepth)
        {
            throw new ScanReportFormatException(
                $"{what}: the YAML nests deeper than {MaxDepth} levels (line {node.Start.Line}).");
        }
    }

    // After a value inside a mapping, the next scalar is a key again.
    private static void ValueWritten(List<Frame> open)
    {
        if (open.Count > 0 && open[^1] == Frame.MappingValue)
        {
            open[^1] = Frame.MappingKey;
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, Scalar scalar)
    {
        var value = scalar.Value;
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        if (tag is "tag:yaml.org,2002:str" || (tag is null && scalar.Style != ScalarStyle.Plain))
        {
            writer.WriteStringValue(value);
            return;
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                writer.WriteNullValue();
                return;
            case "true" or "True" or "TRUE":
                writer.WriteBooleanValue(true);
                return;
            case "false" or "False" or "FALSE":
                writer.WriteBooleanValue(false);
                return;
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            writer.WriteNumberValue(integer);
        }
        else if (LooksLikeFloat(value)
            && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && double.IsFinite(number))
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    // YAML 1.2 core schema float: [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    // Checked by hand because double.TryParse also accepts forms YAML treats as strings ("1,000", "Infinity").
    private static bool LooksLikeFloat(string value)
    {
        var i = 0;
        if (i < value.Length && value[i] is '+' or '-')
        {
            i++;
        }

        var digits = 0;
        while (i < value.Length && char.IsAsciiDigit(value[i]))
        {
            i++;
            digits++;
        }

        if (i < value.Length && value[i] == '.')
        {
            i++;
            while (i < value.Length && char.IsAsciiDigit(value[i]))
            {
                i++;
                digits++;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        if (i < value.Length && value[i] is 'e' or 'E')
        {
            i++;
            if (i < value.Length && value[i] is '+' or '-')
            {
                i++;
            }

            var exponent = 0;
            while (i < value.Length && char.IsAsciiDigit(value[i]))
            {
                i++;
                exponent++;
            }

            if (exponent == 0)
            {
                return false;
            }
        }

        return i == value.Length;
    }
}
