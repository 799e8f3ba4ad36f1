using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Portal.Features.Gateway;

namespace Portal.Api;

/// <summary>
/// The response body of a kept gateway file. Everything is the server's own body feature except how a file is sent:
/// Kestrel's fallback reads 16 KB at a time through an asynchronous FileStream (on Linux, each read is a hop to
/// another thread); this writes small kept files from the store's memory copies (<see cref="ContentStore.InMemory"/>)
/// and reads others 256 KB at a time straight from the file, which keeps the cache-hit path cheap.
/// PhysicalFile still decides ranges, ETags and conditional requests; only the copying is done here.
/// </summary>
internal sealed class KeptFileBody(IHttpResponseBodyFeature inner, ContentStore store) : IHttpResponseBodyFeature
{
    private const int ChunkSize = 256 * 1024;

    public Stream Stream => inner.Stream;

    public PipeWriter Writer => inner.Writer;

    /// <summary>Sends kept files of this response through <see cref="KeptFileBody"/>.</summary>
    public static void Use(HttpContext context, ContentStore store)
    {
        if (context.Features.Get<IHttpResponseBodyFeature>() is { } body and not KeptFileBody)
        {
            context.Features.Set<IHttpResponseBodyFeature>(new KeptFileBody(body, store));
        }
    }

    public Task CompleteAsync() => inner.CompleteAsync();

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        if (store.InMemory(path) is { } bytes)
        {
            await inner.StartAsync(cancellationToken);
            await inner.Writer.WriteAsync(bytes.AsMemory((int)offset, (int)(count ?? bytes.Length - offset)), cancellationToken);
            return;
        }

        // Synchronous reads: Linux has no asynchronous reads of regular files, and kept files are mostly in the page cache.
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var left = count ?? RandomAccess.GetLength(file) - offset;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(ChunkSize, Math.Max(left, 1)));
        try
        {
            await inner.StartAsync(cancellationToken);
            while (left > 0)
            {
                var read = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, left)), offset);
                if (read == 0)
                {
                    throw new IOException($"'{path}' ended {left} bytes early.");
                }

                var flush = await inner.Writer.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                if (flush.IsCanceled || flush.IsCompleted)
                {
                    return;
                }

                offset += read;
                left -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
