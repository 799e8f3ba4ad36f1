using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Tests.TestInfrastructure;

/// <summary>How the portal's API writes JSON (web defaults, enums by name), for reading its answers in tests.</summary>
public static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
}
