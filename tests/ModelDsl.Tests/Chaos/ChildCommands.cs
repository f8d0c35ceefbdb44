using System;
using System.IO;
using System.Threading;
using ModelDsl.IO;

namespace ModelDsl.Tests.Chaos;

/// <summary>
/// The test assembly run as a program (<c>dotnet ModelDsl.Tests.dll command args</c>): the processes that
/// tests kill. The test host loads the assembly as a library and never calls this.
/// </summary>
internal static class ChildCommands
{
    public static int Main(string[] args)
    {
        switch (args)
        {
            case ["hang-in-write", var path]:
                AtomicFile.Write(path, stream =>
                {
                    stream.Write(new byte[1 << 20]);
                    Console.WriteLine(HangingLine);
                    Thread.Sleep(Timeout.Infinite);
                });
                return 0;
            case ["train", var folder]:
                ChaosTraining.Run(folder, epoch => Console.WriteLine($"{EpochLine}{epoch}"));
                Console.WriteLine(TrainedLine);
                return 0;
            default:
                Console.Error.WriteLine("usage: hang-in-write <path> | train <folder>");
                return 2;
        }
    }

    /// <summary>What <c>hang-in-write</c> prints once its temporary file holds data.</summary>
    public const string HangingLine = "writing, hanging";

    /// <summary>What <c>train</c> prints after each epoch and its checkpoint, before the epoch's number.</summary>
    public const string EpochLine = "epoch ";

    /// <summary>What <c>train</c> prints once the weights are saved.</summary>
    public const string TrainedLine = "trained";

    /// <summary>Starts <c>dotnet ModelDsl.Tests.dll</c> with a command.</summary>
    public static Testing.ChildProcess Start(params string[] arguments) =>
        Testing.ChildProcess.Start(AppContext.BaseDirectory, "dotnet", [Path.Combine(AppContext.BaseDirectory, "ModelDsl.Tests.dll"), .. arguments]);
}
