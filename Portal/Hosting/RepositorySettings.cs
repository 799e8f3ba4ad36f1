using Microsoft.Extensions.Configuration.Json;

namespace Portal.Hosting;

/// <summary>
/// The shared defaults live in <c>appsettings.json</c> at the repository root (next to Portal.sln), so the
/// portal, its tests and the local stack read one file. A published build carries a copy next to Portal.dll.
/// </summary>
public static class RepositorySettings
{
    public const string FileName = "appsettings.json";

    public static WebApplicationBuilder AddRepositorySettings(this WebApplicationBuilder builder)
    {
        var directory = FindSettingsDirectory(builder.Environment.ContentRootPath) ?? AppContext.BaseDirectory;
        var sources = builder.Configuration.Sources;

        // Replace the content-root JSON sources the default builder added, keeping their place so that
        // environment variables and the command line still override them.
        var firstJson = sources.OfType<JsonConfigurationSource>().FirstOrDefault();
        var index = firstJson is null ? 0 : sources.IndexOf(firstJson);
        foreach (var json in sources.OfType<JsonConfigurationSource>().Where(IsAppSettings).ToList())
        {
            sources.Remove(json);
        }

        sources.Insert(index, Json(directory, FileName, optional: false));
        sources.Insert(index + 1, Json(directory, $"appsettings.{builder.Environment.EnvironmentName}.json", optional: true));
        return builder;
    }

    /// <summary>Walks up from the content root to the folder that holds Portal.sln and appsettings.json.</summary>
    internal static string? FindSettingsDirectory(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Portal.sln"))
                && File.Exists(Path.Combine(directory.FullName, FileName)))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    private static bool IsAppSettings(JsonConfigurationSource source) =>
        source.Path is not null && source.Path.StartsWith("appsettings", StringComparison.OrdinalIgnoreCase);

    private static JsonConfigurationSource Json(string directory, string file, bool optional)
    {
        var source = new JsonConfigurationSource
        {
            Path = file,
            Optional = optional,
            ReloadOnChange = false,
        };
        source.FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(directory);
        return source;
    }
}
