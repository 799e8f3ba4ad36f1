using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Portal.Integrations.ClamAv;

/// <summary>
/// Sends an open file's descriptor over a Unix socket as SCM_RIGHTS ancillary data, with the single byte clamd reads
/// after a FILDES command (as clamdscan --fdpass does). Linux only.
/// <para>
/// Written here because .NET's Socket has no API for ancillary data, and the libc binding on the package feed
/// (Tmds.LibC 0.5.0) computes CMSG_LEN(sizeof(int)) as 24 instead of 20, so the kernel passes a second descriptor
/// and clamd answers "No file descriptor received". The structures below are glibc's on 64-bit Linux.
/// </para>
/// </summary>
internal static unsafe partial class FileDescriptorPassing
{
    private const int SolSocket = 1;
    private const int ScmRights = 1;
    private const int MsgNoSignal = 0x4000;
    private const int Eintr = 4;
    private const int Eagain = 11;

    /// <summary>True where the structures and constants above hold.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && IntPtr.Size == 8;

    /// <summary>Sends <paramref name="file"/>'s descriptor; the receiver gets its own copy, ours stays open.</summary>
    /// <exception cref="IOException">sendmsg failed (for example, clamd hung up).</exception>
    public static void Send(Socket socket, SafeFileHandle file, TimeSpan timeout)
    {
        var socketAdded = false;
        var fileAdded = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref socketAdded);
            file.DangerousAddRef(ref fileAdded);

            // clamd takes the descriptor and discards the byte that carried it.
            byte carrier = 0;
            var data = new IoVector { Base = &carrier, Length = 1 };
            var control = new DescriptorControl
            {
                Length = (nuint)(sizeof(ControlHeader) + sizeof(int)),
                Level = SolSocket,
                Type = ScmRights,
                Descriptor = (int)file.DangerousGetHandle(),
            };
            var message = new MessageHeader { Vectors = &data, VectorCount = 1, Control = &control, ControlLength = (nuint)sizeof(DescriptorControl) };
            var socketDescriptor = (int)socket.SafeHandle.DangerousGetHandle();
            while (true)
            {
                if (SendMessage(socketDescriptor, &message, MsgNoSignal) >= 0)
                {
                    return;
                }

                var error = Marshal.GetLastPInvokeError();
                if (error == Eintr)
                {
                    continue;
                }

                // .NET keeps its sockets non-blocking; a full send buffer (never seen with one command in flight) waits.
                if (error == Eagain && socket.Poll(timeout, SelectMode.SelectWrite))
                {
                    continue;
                }

                throw new IOException(error == Eagain
                    ? $"the socket stayed full for {timeout.TotalSeconds:0} s"
                    : $"sendmsg failed: {Marshal.GetPInvokeErrorMessage(error)}");
            }
        }
        finally
        {
            if (fileAdded)
            {
                file.DangerousRelease();
            }

            if (socketAdded)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static partial nint SendMessage(int socket, MessageHeader* message, int flags);

    // struct iovec
    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public void* Base;
        public nuint Length;
    }

    // struct msghdr
    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    // struct cmsghdr, for its size
    [StructLayout(LayoutKind.Sequential)]
    private struct ControlHeader
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    // CMSG_SPACE(sizeof(int)) bytes: a cmsghdr, one descriptor (CMSG_DATA), and padding to 8 bytes.
    [StructLayout(LayoutKind.Sequential)]
    private struct DescriptorControl
    {
        public nuint Length;
        public int Level;
        public int Type;
        public int Descriptor;
        private readonly int _padding;
    }
}
