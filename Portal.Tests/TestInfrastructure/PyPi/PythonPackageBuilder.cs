using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Portal.Tests.TestInfrastructure.PyPi;

/// <summary>A wheel and an sdist of one tiny project, built for real by setuptools.</summary>
public sealed record BuiltPythonPackage(string Name, string Version, string ModuleName, string? RequiresPython, string WheelPath, string SdistPath)
{
    public string WheelFileName => Path.GetFileName(WheelPath);

    public string SdistFileName => Path.GetFileName(SdistPath);

    /// <summary>Both distributions, wheel first.</summary>
    public IReadOnlyList<string> Files => [WheelPath, SdistPath];
}

/// <summary>
/// Builds real distributions of a tiny project with Debian's setuptools and wheel (<c>setup.py sdist bdist_wheel</c>,
/// offline): a package named after the project whose <c>__init__.py</c> holds its version, plus any data files the
/// caller gives (the EICAR test string, say), which end up inside the wheel and the sdist.
/// </summary>
public static partial class PythonPackageBuilder
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(2);

    /// <param name="directory">Where the project is written and built; the distributions stay under it.</param>
    /// <param name="name">The project name, e.g. "tiny-pkg"; its module is the normalized name with underscores ("tiny_pkg").</param>
    /// <param name="version">A PEP 440 version, e.g. "1.0.0".</param>
    /// <param name="dataFiles">File name → content of extra files in the module's directory, packaged with it.</param>
    /// <param name="requiresPython">The Requires-Python specifier, e.g. ">=3.8"; none when null.</param>
    public static async Task<BuiltPythonPackage> BuildAsync(TempDirectory directory, string name, string version,
        IReadOnlyDictionary<string, byte[]>? dataFiles = null, string? requiresPython = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!ProjectName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a valid Python project name.", nameof(name));
        }

        dataFiles ??= new Dictionary<string, byte[]>();
        var moduleName = SimpleIndexNames.Normalize(name).Replace('-', '_');
        var project = Path.Combine(directory.Path, $"project-{moduleName}-{version}-{Guid.NewGuid():N}");
        var module = Path.Combine(project, moduleName);
        Directory.CreateDirectory(module);
        await File.WriteAllTextAsync(Path.Combine(module, "__init__.py"), $"VERSION = {Python(version)}\n", cancellationToken);
        foreach (var (fileName, content) in dataFiles)
        {
            if (fileName.Length == 0 || fileName.IndexOfAny(['/', '\\']) >= 0 || fileName is "." or ".." or "__init__.py")
            {
                throw new ArgumentException($"'{fileName}' cannot be a data file name: a plain file name in the module's directory is expected.", nameof(dataFiles));
            }

            await File.WriteAllBytesAsync(Path.Combine(module, fileName), content, cancellationToken);
        }

        // package_data lists the files by name: both bdist_wheel and sdist (setuptools >= 43) take them from there.
        var setup = new StringBuilder()
            .AppendLine("from setuptools import setup")
            .AppendLine("setup(")
            .AppendLine(CultureInfo.InvariantCulture, $"    name={Python(name)},")
            .AppendLine(CultureInfo.InvariantCulture, $"    version={Python(version)},")
            .AppendLine(CultureInfo.InvariantCulture, $"    packages=[{Python(moduleName)}],")
            .AppendLine(CultureInfo.InvariantCulture, $"    package_data={{{Python(moduleName)}: [{string.Join(", ", dataFiles.Keys.Select(Python))}]}},");
        if (requiresPython is not null)
        {
            setup.AppendLine(CultureInfo.InvariantCulture, $"    python_requires={Python(requiresPython)},");
        }

        setup.AppendLine(")");
        await File.WriteAllTextAsync(Path.Combine(project, "setup.py"), setup.ToString(), cancellationToken);

        var run = await DebianPython.RunAsync(["setup.py", "-q", "sdist", "bdist_wheel"], project, BuildTimeout, cancellationToken);
        var dist = Path.Combine(project, "dist");
        if (!run.Succeeded || !Directory.Exists(dist))
        {
            throw new InvalidOperationException($"Building {name} {version} failed (python3-setuptools and python3-wheel installed?): {run}");
        }

        return new BuiltPythonPackage(name, version, moduleName, requiresPython,
            Directory.GetFiles(dist, "*.whl").Single(), Directory.GetFiles(dist, "*.tar.gz").Single());
    }

    /// <summary>A Python string literal: JSON's string syntax (with \uXXXX escapes) is valid Python too.</summary>
    private static string Python(string value) => JsonSerializer.Serialize(value);

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")]
    private static partial Regex ProjectName();
}
