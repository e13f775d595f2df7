using Detr.Training.Matching;

namespace Detr.Training.Tests.Matching;

public class AtssAssignerTests
{
    // Level 0: an 8×8 grid of anchors one cell wide (0.125); level 1: a 4×4 grid of anchors two cells wide (0.5).
    static (float[] Anchors, int[] Levels) TwoLevels()
    {
        var anchors = new List<float>();
        var levels = new List<int>();
        foreach (var (cells, side, level) in new[] { (8, 0.125f, 0), (4, 0.5f, 1) })
            for (int y = 0; y < cells; y++)
                for (int x = 0; x < cells; x++)
                {
                    anchors.AddRange([(x + 0.5f) / cells, (y + 0.5f) / cells, side, side]);
                    levels.Add(level);
                }
        return (anchors.ToArray(), levels.ToArray());
    }

    static int Level0(int x, int y) => y * 8 + x;

    static int Level1(int x, int y) => 64 + y * 4 + x;

    static bool[] AllValid(int count) => Enumerable.Repeat(true, count).ToArray();

    [Fact]
    public void SmallBoxesGoToTheFineLevelAndLargeOnesToTheCoarseOneWithSeveralPositives()
    {
        var (anchors, levels) = TwoLevels();
        float[] targets =
        [
            0.3125f, 0.3125f, 0.125f, 0.125f, // exactly level-0 cell (2,2)
            0.25f, 0.25f, 0.5f, 0.5f,         // the top-left quadrant: four level-1 anchors overlap it by IoU 0.39
        ];
        int[] assigned = AtssAssigner.Assign(anchors, levels, AllValid(levels.Length), targets);
        var small = Enumerable.Range(0, assigned.Length).Where(a => assigned[a] == 0).ToArray();
        var large = Enumerable.Range(0, assigned.Length).Where(a => assigned[a] == 1).ToArray();
        Assert.Equal([Level0(2, 2)], small);
        Assert.Equal([Level1(0, 0), Level1(1, 0), Level1(0, 1), Level1(1, 1)], large);
        Assert.Equal(assigned.Length - 5, assigned.Count(a => a == -1));
    }

    [Fact]
    public void AnchorsOffTheImageOrOutsideTheBoxAreNeverPositive()
    {
        var (anchors, levels) = TwoLevels();
        var valid = AllValid(levels.Length);
        valid[Level1(0, 0)] = false; // padding
        int[] assigned = AtssAssigner.Assign(anchors, levels, valid, [0.25f, 0.25f, 0.5f, 0.5f]);
        Assert.Equal(-1, assigned[Level1(0, 0)]);
        Assert.Equal(0, assigned[Level1(1, 1)]);
        for (int a = 0; a < assigned.Length; a++)
            if (assigned[a] == 0)
                Assert.True(anchors[4 * a] is > 0 and < 0.5f && anchors[4 * a + 1] is > 0 and < 0.5f, $"anchor {a} is positive with its centre outside the box");
    }

    [Fact]
    public void AnAnchorClaimedByTwoBoxesGoesToTheOneItOverlapsMost()
    {
        var (anchors, levels) = TwoLevels();
        // Both boxes contain level-1 anchor (1,1) (centre 0.375): the first covers it by IoU 0.39, the second, its own cell, by 1.
        float[] targets = [0.25f, 0.25f, 0.5f, 0.5f, 0.375f, 0.375f, 0.5f, 0.5f];
        int[] assigned = AtssAssigner.Assign(anchors, levels, AllValid(levels.Length), targets);
        Assert.Equal(1, assigned[Level1(1, 1)]);
        Assert.Equal(0, assigned[Level1(0, 0)]);
    }

    [Fact]
    public void EmptyBoxesAndImagesWithoutBoxesAssignNothing()
    {
        var (anchors, levels) = TwoLevels();
        Assert.All(AtssAssigner.Assign(anchors, levels, AllValid(levels.Length), []), a => Assert.Equal(-1, a));
        Assert.All(AtssAssigner.Assign(anchors, levels, AllValid(levels.Length), [0.5f, 0.5f, 0f, 0.2f]), a => Assert.Equal(-1, a));
        Assert.Throws<ArgumentException>(() => AtssAssigner.Assign(anchors, levels, AllValid(3), [0.5f, 0.5f, 0.1f, 0.1f]));
    }
}
