using Detr.MLNet.Imaging;
using Detr.MLNet.Postprocessing;
using Detr.MLNet.Preprocessing;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Detr.MLNet.Scoring;

/// <summary>
/// Scores batches of images with a DETR ONNX model: reference preprocessing, padding with a pixel mask where the
/// model takes one, one <see cref="OrtValue"/> run per batch, the reference's post-processing (softmax or sigmoid top-k). Holds reusable buffers,
/// so one instance serves one thread; the session underneath is shared. On CUDA or TensorRT the batches go through an
/// <c>OrtIoBinding</c> whose page-locked staging this scorer holds until it is disposed.
/// </summary>
public sealed class DetrBatchScorer : IDisposable
{
    readonly SharedInferenceSession _session;
    readonly DetrOnnxSignature _signature;
    readonly int _shortestEdge;
    readonly int _longestEdge;
    readonly ImageNetNormalization _normalization;
    readonly string[] _outputNames;
    // Reused across batches: at 800×1066 the pixels are 10 MB per image and the mask 6.8 MB (int64), so allocating
    // them per batch would cost large-object-heap allocations, zeroing and gen-2 collections on every call.
    byte[] _resized = [];
    float[] _pixels = [];
    Array? _mask;
    readonly IoBindingStaging? _staging;
    IoBindingRunner? _runner;

    internal DetrBatchScorer(SharedInferenceSession session, DetrOnnxSignature signature, int shortestEdge, int longestEdge,
        ImageNetNormalization normalization, IoBindingStaging? staging)
    {
        _staging = staging;
        _session = session;
        _signature = signature;
        _shortestEdge = shortestEdge;
        _longestEdge = longestEdge;
        _normalization = normalization;
        _outputNames = [signature.LogitsOutput, signature.BoxesOutput];
    }

    /// <summary>
    /// Raw model outputs of one image: logits [Q, C+1] (softmax models; [Q, C] for sigmoid ones, whose
    /// <paramref name="ClassesWithNoObject"/> is then C, the logits' width) and normalised cx,cy,w,h boxes [Q, 4].
    /// </summary>
    public sealed record RawOutputs(float[] Logits, float[] Boxes, int Queries, int ClassesWithNoObject);

    /// <summary>Scores every image; a null image gives no detections.</summary>
    public DetrDetections[] Score(IReadOnlyList<RgbImage?> images, float scoreThreshold, int? maxDetections)
    {
        var results = new DetrDetections[images.Count];
        foreach (var group in Groups(Plan(images)))
        {
            var run = Run(group);
            for (int i = 0; i < group.Count; i++)
            {
                var item = group[i];
                // Models with a mask predict boxes relative to the unpadded image; models without one see the
                // padded canvas as the image.
                double scaleX = _signature.MaskInput is not null ? item.Image.Width : (double)run.Width * item.Image.Width / item.ResizedWidth;
                double scaleY = _signature.MaskInput is not null ? item.Image.Height : (double)run.Height * item.Image.Height / item.ResizedHeight;
                int logitsPerImage = run.Queries * run.ClassesWithNoObject;
                var logits = run.Logits.AsSpan(i * logitsPerImage, logitsPerImage);
                var boxes = run.Boxes.AsSpan(i * run.Queries * 4, run.Queries * 4);
                results[item.Index] = _signature.Postprocessing == DetrPostprocessing.SigmoidTopK
                    ? DetrSigmoidPostprocessor.Decode(logits, boxes, run.Queries, run.ClassesWithNoObject, (float)scaleX, (float)scaleY, scoreThreshold, maxDetections)
                    : DetrPostprocessor.Decode(logits, boxes, run.Queries, run.ClassesWithNoObject, (float)scaleX, (float)scaleY, scoreThreshold, maxDetections);
            }
        }
        for (int i = 0; i < results.Length; i++)
            results[i] ??= DetrDetections.Empty;
        return results;
    }

    /// <summary>Runs the model and returns its raw outputs per image (for inspection and parity checks).</summary>
    public RawOutputs[] RunRawPerImage(IReadOnlyList<RgbImage> images)
    {
        var results = new RawOutputs[images.Count];
        foreach (var group in Groups(Plan(images)))
        {
            var run = Run(group);
            int logitsPerImage = run.Queries * run.ClassesWithNoObject;
            for (int i = 0; i < group.Count; i++)
                results[group[i].Index] = new RawOutputs(run.Logits.AsSpan(i * logitsPerImage, logitsPerImage).ToArray(),
                    run.Boxes.AsSpan(i * run.Queries * 4, run.Queries * 4).ToArray(), run.Queries, run.ClassesWithNoObject);
        }
        return results;
    }

    internal RawOutputs RunRaw(IReadOnlyList<RgbImage> images) => RunRawPerImage(images)[0];

    /// <summary>Runs a ready-made input tensor (already normalised and padded) through the model: the engine's ceiling.</summary>
    public RawOutputs RunTensor(float[] pixels, long[] shape, long[]? mask)
    {
        using var runOptions = new RunOptions();
        var names = new List<string> { _signature.ImageInput };
        var values = new List<OrtValue> { OrtValue.CreateTensorValueFromMemory(pixels, shape) };
        try
        {
            if (_signature.MaskInput is not null && mask is not null)
            {
                names.Add(_signature.MaskInput);
                values.Add(OrtValue.CreateTensorValueFromMemory(mask, [shape[0], shape[2], shape[3]]));
            }
            using var held = _session.Run();
            using var outputs = held.Session.Run(runOptions, names, values, _outputNames);
            return ReadOutputs(outputs, (int)shape[0], (int)shape[^2], (int)shape[^1]).Raw;
        }
        finally
        {
            foreach (var value in values)
                value.Dispose();
        }
    }

    sealed record Planned(int Index, RgbImage Image, int ResizedHeight, int ResizedWidth);

    sealed record GroupRun(float[] Logits, float[] Boxes, int Queries, int ClassesWithNoObject, int Height, int Width)
    {
        public RawOutputs Raw => new(Logits, Boxes, Queries, ClassesWithNoObject);
    }

    List<Planned> Plan(IReadOnlyList<RgbImage?> images)
    {
        var planned = new List<Planned>(images.Count);
        for (int i = 0; i < images.Count; i++)
        {
            if (images[i] is not RgbImage image)
                continue;
            var (height, width) = _signature.HasFixedSize
                ? DetrResizePlan.FitInside(image.Width, image.Height, _signature.FixedHeight!.Value, _signature.FixedWidth!.Value)
                : DetrResizePlan.ShortestEdge(image.Width, image.Height, _shortestEdge, _longestEdge);
            planned.Add(new Planned(i, image, height, width));
        }
        return planned;
    }

    // Images share a call when the model can tell padding from pixels (a mask input, or a fixed canvas it was
    // exported for); otherwise only images of the same resized size go together, so no padding changes the output.
    IEnumerable<List<Planned>> Groups(List<Planned> planned)
    {
        int perCall = _signature.ImageRank == 3 ? 1 : _signature.FixedBatch ?? int.MaxValue;
        bool canPad = _signature.MaskInput is not null || _signature.HasFixedSize;
        var buckets = canPad
            ? [planned]
            : planned.GroupBy(p => (p.ResizedHeight, p.ResizedWidth)).Select(g => g.ToList());
        foreach (var bucket in buckets)
            for (int start = 0; start < bucket.Count; start += perCall)
                yield return bucket.GetRange(start, Math.Min(perCall, bucket.Count - start));
    }

    /// <summary>
    /// Runs the model on <paramref name="images"/>, preprocessed and batched exactly as <see cref="Score"/> does, and
    /// hands each output named in <paramref name="outputNames"/> to <paramref name="visit"/> while the run's results
    /// are alive (do not keep the <see cref="OrtValue"/>). For intermediate tensors a model declares as extra outputs:
    /// INT8 export calibrates its activation ranges this way on the pixels scoring will feed.
    /// </summary>
    public void RunOutputs(IReadOnlyList<RgbImage> images, IReadOnlyList<string> outputNames, Action<string, OrtValue> visit)
    {
        ArgumentNullException.ThrowIfNull(outputNames);
        ArgumentNullException.ThrowIfNull(visit);
        foreach (var group in Groups(Plan(images)))
            Run(group, outputNames, outputs =>
            {
                for (int i = 0; i < outputNames.Count; i++)
                    visit(outputNames[i], outputs[i]);
                return 0;
            });
    }

    GroupRun Run(List<Planned> group) =>
        Run(group, _outputNames, outputs => ReadOutputs(outputs, group.Count, Height(group), Width(group)));

    int Height(List<Planned> group) => _signature.FixedHeight ?? group.Max(p => p.ResizedHeight);

    int Width(List<Planned> group) => _signature.FixedWidth ?? group.Max(p => p.ResizedWidth);

    T Run<T>(List<Planned> group, IReadOnlyList<string> outputNames, Func<IReadOnlyList<OrtValue>, T> read)
    {
        int count = group.Count;
        int batch = _signature.FixedBatch ?? count;
        int height = Height(group);
        int width = Width(group);
        long[] shape = _signature.ImageRank == 3 ? [3, height, width] : [batch, 3, height, width];
        // The binding is made for the scorer's own outputs; other output lists (calibration) go the plain way.
        if (_staging is IoBindingStaging staging && ReferenceEquals(outputNames, _outputNames))
            return RunBound(group, staging, batch, height, width, shape, read);

        int pixelCount = batch * 3 * height * width;
        if (_pixels.Length < pixelCount)
            _pixels = new float[pixelCount];
        WritePixels(group, _pixels.AsSpan(0, pixelCount), batch, height, width);

        using var runOptions = new RunOptions();
        var names = new List<string>(2) { _signature.ImageInput };
        var values = new List<OrtValue>(2)
        {
            OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _pixels.AsMemory(0, pixelCount), shape),
        };
        try
        {
            if (_signature.MaskInput is not null)
            {
                names.Add(_signature.MaskInput);
                values.Add(CreateMask(group, batch, height, width));
            }
            using var held = _session.Run();
            using var outputs = held.Session.Run(runOptions, names, values, outputNames);
            return read(outputs);
        }
        finally
        {
            foreach (var value in values)
                value.Dispose();
        }
    }

    /// <summary>
    /// The same batch through the IoBinding: pixels and mask written straight into the staging memory. The session is
    /// held from the first write, since closing it frees that memory.
    /// </summary>
    T RunBound<T>(List<Planned> group, IoBindingStaging staging, int batch, int height, int width, long[] shape,
        Func<IReadOnlyList<OrtValue>, T> read)
    {
        using var held = _session.Run();
        var runner = _runner ??= IoBindingRunner.Create(_session, held.Session, staging, _outputNames);
        WritePixels(group, runner.Input<float>(_signature.ImageInput, shape), batch, height, width);
        if (_signature.MaskInput is string maskName)
        {
            long[] maskShape = [batch, height, width];
            switch (_signature.MaskElementType)
            {
                case TensorElementType.Int64: FillMask(runner.Input<long>(maskName, maskShape), 1L, group, height, width); break;
                case TensorElementType.Int32: FillMask(runner.Input<int>(maskName, maskShape), 1, group, height, width); break;
                case TensorElementType.Bool: FillMask(runner.Input<bool>(maskName, maskShape), true, group, height, width); break;
                case TensorElementType.Float: FillMask(runner.Input<float>(maskName, maskShape), 1f, group, height, width); break;
                default: throw UnsupportedMask();
            }
        }
        using var runOptions = new RunOptions();
        using var outputs = runner.Run(held.Session, runOptions);
        return read(outputs);
    }

    /// <summary>Each image resized and normalised into its slot; padding and slots no image fills are zero.</summary>
    void WritePixels(List<Planned> group, Span<float> pixels, int batch, int height, int width)
    {
        int plane = height * width;
        for (int i = 0; i < group.Count; i++)
        {
            var p = group[i];
            int resizedBytes = p.ResizedHeight * p.ResizedWidth * 3;
            if (_resized.Length < resizedBytes)
                _resized = new byte[resizedBytes];
            PillowBilinearResize.Resize(p.Image.Pixels, p.Image.Width, p.Image.Height, _resized, p.ResizedWidth, p.ResizedHeight);
            var slot = pixels.Slice(i * 3 * plane, 3 * plane);
            _normalization.WritePlanar(_resized, p.ResizedWidth, p.ResizedHeight, slot, height, width);
            ClearPadding(slot, p.ResizedHeight, p.ResizedWidth, height, width);
        }
        // Slots of a fixed-size batch that no image fills are all padding.
        pixels.Slice(group.Count * 3 * plane, (batch - group.Count) * 3 * plane).Clear();
    }

    /// <summary>Releases the IoBinding's staging memory, if this scorer made one; the scorer cannot run afterwards on a GPU.</summary>
    public void Dispose()
    {
        if (_runner is not { } runner)
            return;
        _runner = null;
        try
        {
            // Under a lease, so the session cannot close while the staging memory is being freed.
            using var held = _session.Run();
            runner.Dispose();
        }
        catch (ObjectDisposedException)
        {
            // The session closed first and released the binding with it.
        }
    }

    // Zeroes what WritePlanar leaves alone in an image's slot: the right margin of its rows and the rows below it. The
    // buffer is reused, so padding can hold an earlier batch's pixels; clearing only the padding (instead of the whole
    // buffer before writing) touches nothing twice.
    static void ClearPadding(Span<float> slot, int imageHeight, int imageWidth, int height, int width)
    {
        int plane = height * width;
        for (int c = 0; c < 3; c++)
        {
            var channel = slot.Slice(c * plane, plane);
            if (imageWidth < width)
                for (int y = 0; y < imageHeight; y++)
                    channel.Slice(y * width + imageWidth, width - imageWidth).Clear();
            channel[(imageHeight * width)..].Clear();
        }
    }

    OrtValue CreateMask(List<Planned> group, int batch, int height, int width)
    {
        long[] shape = [batch, height, width];
        int length = batch * height * width;
        Memory<T> Fill<T>(T one)
        {
            if (_mask is not T[] mask || mask.Length < length)
                _mask = mask = new T[length];
            var used = mask.AsMemory(0, length);
            FillMask(used.Span, one, group, height, width);
            return used;
        }
        var cpu = OrtMemoryInfo.DefaultInstance;
        return _signature.MaskElementType switch
        {
            TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(cpu, Fill(1L), shape),
            TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(cpu, Fill(1), shape),
            TensorElementType.Bool => OrtValue.CreateTensorValueFromMemory(cpu, Fill(true), shape),
            TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(cpu, Fill(1f), shape),
            _ => throw UnsupportedMask(),
        };
    }

    // 1 marks a real pixel, 0 padding (transformers' convention).
    static void FillMask<T>(Span<T> mask, T one, List<Planned> group, int height, int width)
    {
        mask.Clear();
        for (int i = 0; i < group.Count; i++)
            for (int y = 0; y < group[i].ResizedHeight; y++)
                mask.Slice((i * height + y) * width, group[i].ResizedWidth).Fill(one);
    }

    NotSupportedException UnsupportedMask() =>
        new($"Pixel-mask input '{_signature.MaskInput}' has element type {_signature.MaskElementType}; expected int64, int32, bool or float.");

    GroupRun ReadOutputs(IReadOnlyList<OrtValue> outputs, int count, int height, int width)
    {
        var logitsShape = outputs[0].GetTensorTypeAndShape().Shape;
        var boxesShape = outputs[1].GetTensorTypeAndShape().Shape;
        int queries = (int)logitsShape[^2];
        int classes = (int)logitsShape[^1];
        if (boxesShape[^1] != 4 || boxesShape[^2] != queries)
            throw new InvalidDataException(
                $"Model output '{_signature.BoxesOutput}' has shape [{string.Join(",", boxesShape)}]; expected [N,{queries},4] to match '{_signature.LogitsOutput}'.");
        var logits = outputs[0].GetTensorDataAsSpan<float>()[..(count * queries * classes)].ToArray();
        var boxes = outputs[1].GetTensorDataAsSpan<float>()[..(count * queries * 4)].ToArray();
        return new GroupRun(logits, boxes, queries, classes, height, width);
    }
}
