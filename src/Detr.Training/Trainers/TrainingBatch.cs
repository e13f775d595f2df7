using Detr.MLNet.Boxes;
using Detr.MLNet.Preprocessing;
using Detr.Training.Augmentation;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Trainers;

/// <summary>
/// A padded training batch in the reference's form: images [B,3,H,W] normalised and zero-padded to the largest,
/// a mask [B,H,W] true on padding, and per image the class indices and cx,cy,w,h boxes normalised by the unpadded size.
/// </summary>
public sealed class TrainingBatch : IDisposable
{
    TrainingBatch(Tensor images, Tensor mask, IReadOnlyList<(Tensor Labels, Tensor Boxes)> targets)
    {
        Images = images;
        Mask = mask;
        Targets = targets;
    }

    /// <summary>Normalised, padded images [B,3,H,W].</summary>
    public Tensor Images { get; }

    /// <summary>True on padding [B,H,W].</summary>
    public Tensor Mask { get; }

    /// <summary>Per image: labels int64 [n] and boxes float [n,4] (cx,cy,w,h in 0..1).</summary>
    public IReadOnlyList<(Tensor Labels, Tensor Boxes)> Targets { get; }

    /// <summary>Builds the batch on <paramref name="device"/>.</summary>
    public static TrainingBatch Create(IReadOnlyList<DetectionSample> samples, ImageNetNormalization normalization, Device device)
    {
        int height = samples.Max(s => s.Image.Height), width = samples.Max(s => s.Image.Width);
        int plane = height * width;
        var pixels = new float[samples.Count * 3 * plane];
        var mask = new bool[samples.Count * plane];
        Array.Fill(mask, true);
        var targets = new List<(Tensor, Tensor)>(samples.Count);
        for (int i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            normalization.WritePlanar(s.Image.Pixels, s.Image.Width, s.Image.Height, pixels.AsSpan(i * 3 * plane, 3 * plane), height, width);
            for (int y = 0; y < s.Image.Height; y++)
                Array.Fill(mask, false, i * plane + y * width, s.Image.Width);
            targets.Add((tensor(s.Labels.Select(l => (long)l).ToArray(), [s.Count], ScalarType.Int64, device),
                tensor(NormalisedCenters(s), [s.Count, 4], ScalarType.Float32, device)));
        }
        return new TrainingBatch(tensor(pixels, [samples.Count, 3, height, width], ScalarType.Float32, device),
            tensor(mask, [samples.Count, height, width], device: device), targets);
    }

    /// <summary>x0,y0,x1,y1 pixels → cx,cy,w,h divided by the image size (the reference's Normalize transform).</summary>
    public static float[] NormalisedCenters(DetectionSample sample)
    {
        var result = new float[sample.Count * 4];
        float w = sample.Image.Width, h = sample.Image.Height;
        for (int i = 0; i < sample.Count; i++)
        {
            var (cx, cy, bw, bh) = BoxConversions.XyxyToCxCyWh(sample.Boxes[i * 4], sample.Boxes[i * 4 + 1], sample.Boxes[i * 4 + 2], sample.Boxes[i * 4 + 3]);
            result[i * 4] = cx / w;
            result[i * 4 + 1] = cy / h;
            result[i * 4 + 2] = bw / w;
            result[i * 4 + 3] = bh / h;
        }
        return result;
    }

    /// <summary>Releases the tensors.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Mask.Dispose();
        foreach (var (labels, boxes) in Targets)
        {
            labels.Dispose();
            boxes.Dispose();
        }
    }
}
