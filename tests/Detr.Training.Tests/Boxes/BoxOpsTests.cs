using Detr.Training.Boxes;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Boxes;

public class BoxOpsTests
{
    [Fact]
    public void ConvertsBetweenCentreAndCornerForms()
    {
        var centre = tensor(new float[] { 0.5f, 0.5f, 0.2f, 0.4f }, [1, 4]);
        var corners = BoxOps.CxCyWhToXyxy(centre);
        Assert.Equal(new[] { 0.4f, 0.3f, 0.6f, 0.7f }, corners.data<float>().ToArray().Select(v => MathF.Round(v, 5)));
        Assert.Equal(centre.data<float>().ToArray(), BoxOps.XyxyToCxCyWh(corners).data<float>().ToArray().Select(v => MathF.Round(v, 5)));
    }

    [Fact]
    public void IouAndGeneralizedIouMatchHandWorkedNumbers()
    {
        // [0,0,2,2] and [1,1,3,3]: intersection 1, union 7, IoU 1/7; hull [0,0,3,3] area 9 → GIoU = 1/7 − (9−7)/9.
        var a = tensor(new float[] { 0, 0, 2, 2 }, [1, 4]);
        var b = tensor(new float[] { 1, 1, 3, 3, 4, 4, 5, 5 }, [2, 4]);
        var (iou, union) = BoxOps.Iou(a, b);
        Assert.Equal(1f / 7, iou[0, 0].item<float>(), 6);
        Assert.Equal(7f, union[0, 0].item<float>(), 6);
        var giou = BoxOps.GeneralizedIou(a, b);
        Assert.Equal(1f / 7 - 2f / 9, giou[0, 0].item<float>(), 6);
        // Disjoint [4,4,5,5]: IoU 0, union 5, hull 25 → −20/25.
        Assert.Equal(-0.8f, giou[0, 1].item<float>(), 6);
        Assert.Equal(4f, BoxOps.Area(a)[0].item<float>());
    }

    [Fact]
    public void InvertedOrNaNBoxesAreRefused()
    {
        var good = tensor(new float[] { 0, 0, 1, 1 }, [1, 4]);
        Assert.Throws<ArgumentException>(() => BoxOps.GeneralizedIou(tensor(new float[] { 2, 0, 1, 1 }, [1, 4]), good));
        Assert.Throws<ArgumentException>(() => BoxOps.GeneralizedIou(good, tensor(new float[] { 0, 0, float.NaN, 1 }, [1, 4])));
    }
}
