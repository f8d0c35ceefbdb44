using System;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests;

/// <summary>Creating a trainer raises glibc's trim and mmap thresholds (see <see cref="NativeHeap"/>), unless the environment tunes malloc.</summary>
public class NativeHeapTests
{
    [Fact]
    public void TrainerKeepsFreedTensorMemoryMappedOnGlibc()
    {
        using var trainer = new ClickWatchModel.Trainer(new TrainingOptions { Epochs = 1 });
        var userSet = Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is not null
            || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null
            || Environment.GetEnvironmentVariable("GLIBC_TUNABLES") is not null;
        var glibc = OperatingSystem.IsLinux() && System.Runtime.InteropServices.NativeLibrary.TryLoad("libc.so.6", out _);
        Assert.Equal(glibc && !userSet, NativeHeap.Tuned);
    }
}
