using System.Text.Json;
using Detr.MLNet.Preprocessing;

namespace Detr.MLNet.Tests.Preprocessing;

public class DetrResizePlanTests
{
    [Theory]
    // 640x480 landscape: short side 480 → 800, long side 640*800/480 = 1066.67 truncated to 1066.
    [InlineData(640, 480, 800, 1333, 800, 1066)]
    // 3000x1000: 3*800 = 2400 > 1333, so the short side becomes round(1333*1000/3000) = round(444.33) = 444, long 1332.
    [InlineData(3000, 1000, 800, 1333, 444, 1332)]
    // Already at the target: returned unchanged.
    [InlineData(800, 1200, 800, 1333, 1200, 800)]
    public void MatchesHandWorkedCases(int width, int height, int shortest, int longest, int outHeight, int outWidth)
    {
        Assert.Equal((outHeight, outWidth), DetrResizePlan.ShortestEdge(width, height, shortest, longest));
    }

    [Fact]
    public void MatchesTheReferenceTable()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Scoring("resize_sizes.json")));
        int count = 0;
        foreach (var c in doc.RootElement.EnumerateArray())
        {
            var got = DetrResizePlan.ShortestEdge(c.GetProperty("width").GetInt32(), c.GetProperty("height").GetInt32(),
                c.GetProperty("shortest_edge").GetInt32(),
                c.GetProperty("longest_edge").ValueKind == JsonValueKind.Null ? null : c.GetProperty("longest_edge").GetInt32());
            Assert.Equal((c.GetProperty("out_height").GetInt32(), c.GetProperty("out_width").GetInt32()), got);
            count++;
        }
        Assert.True(count >= 20);
    }

    [Fact]
    public void FitInsideKeepsAspectWithinTheCanvas()
    {
        // 200x100 into 64x96 (HxW): scale min(64/100, 96/200) = 0.48 → 48 high, 96 wide.
        Assert.Equal((48, 96), DetrResizePlan.FitInside(200, 100, 64, 96));
    }

    [Fact]
    public void RejectsEmptyImages() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DetrResizePlan.ShortestEdge(0, 10, 800, 1333));
}
