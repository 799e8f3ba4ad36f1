namespace Portal.Tests.TestInfrastructure;

/// <summary>Small bash scripts that stand in for an administrator's scan command, and what became of the processes they started.</summary>
public static class TestScripts
{
    /// <summary>Writes an executable bash script with <paramref name="body"/> into <paramref name="directory"/>.</summary>
    public static string Write(TempDirectory directory, string body)
    {
        var path = directory.File($"scan-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, "#!/bin/bash\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    /// <summary>Gone, or a zombie waiting for a parent that is not us (it no longer runs anything).</summary>
    public static bool IsGone(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return true;
        }
    }
}
