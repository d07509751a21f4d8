using System.Security.Cryptography;

namespace ImagingCommons.Data;

/// <summary>Secret keys kept as small files in the data directory (page tokens, the development token issuer).</summary>
public static class KeyFile
{
    /// <summary>
    /// The key of <paramref name="path"/>, creating the file (random bytes, mode 0600, written atomically) if it is
    /// missing, so that keys survive restarts and several processes starting at once agree on one key.
    /// </summary>
    /// <param name="what">What the key is, for the error message ("page token key").</param>
    /// <param name="consequence">What deleting the file costs, for the error message.</param>
    /// <exception cref="InvalidDataException">The file exists but does not hold exactly <paramref name="size"/> bytes.</exception>
    public static byte[] LoadOrCreate(string path, int size, string what, string consequence)
    {
        if (!File.Exists(path))
        {
            // Creators serialise on a lock file, so exactly one key is ever written even when several
            // processes start at once; the key itself appears by an atomic rename, complete or not at all.
            CreateFolder(Path.GetDirectoryName(path)!);
            using (AcquireLock(path + ".lock"))
            {
                if (!File.Exists(path))
                {
                    WriteNewKey(path, size);
                }
            }
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != size)
        {
            throw new InvalidDataException(
                $"The {what} file {path} must hold exactly {size} bytes, not {bytes.Length}. " +
                $"Restore it, or delete it to start a new key ({consequence}).");
        }

        return bytes;
    }

    private static void CreateFolder(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static FileStreamOptions OwnerOnly(FileMode mode, FileAccess access)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }

    /// <summary>
    /// An exclusive lock: <see cref="FileShare.None"/> takes an advisory <c>flock</c> on Unix (a sharing lock on Windows),
    /// released when the stream is disposed or the process dies.
    /// </summary>
    private static FileStream AcquireLock(string lockPath)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(lockPath, OwnerOnly(FileMode.OpenOrCreate, FileAccess.ReadWrite));
            }
            catch (IOException) when (waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                Thread.Sleep(10);
            }
        }
    }

    private static void WriteNewKey(string path, int size)
    {
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        var fresh = RandomNumberGenerator.GetBytes(size);
        try
        {
            using (var stream = new FileStream(temp, OwnerOnly(FileMode.CreateNew, FileAccess.Write)))
            {
                stream.Write(fresh);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fresh);
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
