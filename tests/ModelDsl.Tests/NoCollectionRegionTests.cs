using System;
using System.Runtime;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests;

/// <summary>The no-GC region spans steps and is ended only by the trainer that started it.</summary>
public class NoCollectionRegionTests
{
    [Fact]
    public void RegionSpansStepsAndOnlyItsOwnerEndsIt()
    {
        using (var a = new NoCollectionRegion())
        {
            a.BeforeStep();
            Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
            var collections = GC.CollectionCount(0);
            a.BeforeStep();   // budget left: the same region, no collection to start another
            Assert.Equal(collections, GC.CollectionCount(0));

            GC.EndNoGCRegion();   // as the runtime does when the budget is overrun
            using var b = new NoCollectionRegion();
            b.BeforeStep();
            Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
            a.Dispose();   // a no longer owns the region in force
            Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        }
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }
}
