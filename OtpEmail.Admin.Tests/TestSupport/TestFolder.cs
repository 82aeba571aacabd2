namespace OtpEmail.Admin.Tests.TestSupport;

/// <summary>A folder of one app under test (its database, keys, mail), under the system temp directory.</summary>
public static class TestFolder
{
    public static string Create()
    {
        var path = Path.Combine(Path.GetTempPath(), "otpemail-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes it if it can: a file still held open leaves it to the temp directory's own cleanup.</summary>
    public static void Delete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the folder is under the system temp directory.
        }
    }
}
