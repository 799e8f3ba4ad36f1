namespace Portal.Tests.TestInfrastructure.PyPi;

/// <summary>
/// Debian's pip (<c>/usr/bin/python3 -m pip</c>, package python3-pip) installing into a directory of the test's own,
/// as a notebook user's pip would install through the gateway.
/// </summary>
/// <remarks>
/// <c>--target</c> installs into a plain directory, which is also why Debian's PEP 668 "externally managed
/// environment" guard does not apply (pip skips it for --target, --prefix and --root); no virtual environment is
/// needed. pip's configuration files and PIP_* variables are ignored (see <see cref="DebianPython"/>), so only the
/// index given here is asked.
/// </remarks>
public static class Pip
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// <c>pip install --no-deps --no-cache-dir --target TARGET --index-url INDEX REQUIREMENT</c>. A non-zero exit code is
    /// returned, not thrown: tests check refusals too. <paramref name="extraArguments"/> go before the requirement
    /// (e.g. "--only-binary=:all:", or "--no-build-isolation" for an sdist, which would otherwise make pip fetch
    /// setuptools from the index).
    /// </summary>
    public static Task<PythonRun> InstallAsync(Uri indexUrl, string requirement, string targetDirectory,
        IEnumerable<string>? extraArguments = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(indexUrl);
        Directory.CreateDirectory(targetDirectory);
        string[] arguments =
        [
            "-m", "pip", "install",
            "--no-deps", "--no-cache-dir", "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
            // Tests run as root on CI; pip's warning about it is noise in the output tests read.
            "--root-user-action=ignore",
            // pip retries a failing index five times with backoff by default: slow, and it would hide how often the
            // gateway was asked.
            "--retries", "0", "--timeout", "60",
            "--target", targetDirectory,
            "--index-url", indexUrl.AbsoluteUri,
            .. extraArguments ?? [],
            requirement,
        ];
        return DebianPython.RunAsync(arguments, targetDirectory, timeout ?? DefaultTimeout, cancellationToken);
    }
}
