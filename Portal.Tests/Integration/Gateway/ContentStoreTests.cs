using System.Security.Cryptography;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Portal.Features.Gateway;
using Portal.Tests.TestInfrastructure;

namespace Portal.Tests.Integration.Gateway;

/// <summary>The content store on a real directory: files kept by sha256, and the memory copies of small ones.</summary>
public sealed class ContentStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new("content-store");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void ASmallKeptFileIsServedFromMemoryUntilItIsRemoved()
    {
        using var store = Store(memoryMegabytes: 16, maxFileMegabytes: 1);
        var (sha, bytes) = Keep(store, 100_000);
        var stored = store.PathOf(sha);

        store.InMemory(stored).ShouldBe(bytes);
        File.WriteAllBytes(stored, new byte[bytes.Length]);
        store.InMemory(stored).ShouldBe(bytes, "the second time comes from memory, not the disk");

        store.Remove(sha);

        File.Exists(stored).ShouldBeFalse();
        store.InMemory(stored).ShouldBeNull("removed content leaves memory too");
    }

    [Fact]
    public void FilesAboveTheSizeLimitOrWithMemoryCopiesOffAreLeftToTheDisk()
    {
        using var limited = Store(memoryMegabytes: 16, maxFileMegabytes: 1);
        var (large, _) = Keep(limited, 1024 * 1024 + 1);
        limited.InMemory(limited.PathOf(large)).ShouldBeNull();

        using var off = Store(memoryMegabytes: 0, maxFileMegabytes: 1);
        var (small, _) = Keep(off, 10);
        off.InMemory(off.PathOf(small)).ShouldBeNull();
    }

    [Fact]
    public void WorkFilesAreBesideTheKeptFilesUnlessToldOtherwiseSoKeepingOneIsARename()
    {
        using var store = new ContentStore(Options.Create(new GatewayOptions { StoreDirectory = _directory.File("store") }),
            new HostingEnvironment { ContentRootPath = _directory.Path });

        var work = store.NewWorkFile("requests-2.32.3-py3-none-any.whl");

        Path.GetDirectoryName(work).ShouldBe(Path.Combine(store.Root, ContentStore.WorkSubdirectory));
        work.ShouldEndWith("-requests-2.32.3-py3-none-any.whl", Case.Sensitive, "the original name stays, for scanners that look at it");
        var sha = new string('a', 64);
        store.PathOf(sha).ShouldBe(Path.Combine(store.Root, "aa", sha));
    }

    private ContentStore Store(int memoryMegabytes, int maxFileMegabytes) =>
        new(Options.Create(new GatewayOptions
        {
            StoreDirectory = _directory.File($"content-{memoryMegabytes}"),
            WorkDirectory = _directory.File("work"),
            MemoryCacheMegabytes = memoryMegabytes,
            MemoryCacheMaxFileMegabytes = maxFileMegabytes,
        }), new HostingEnvironment { ContentRootPath = _directory.Path });

    private static (string Sha256, byte[] Bytes) Keep(ContentStore store, int size)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var work = store.NewWorkFile("file.bin");
        File.WriteAllBytes(work, bytes);
        store.Keep(work, sha);
        return (sha, bytes);
    }
}
