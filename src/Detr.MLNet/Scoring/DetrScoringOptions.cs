using Detr.MLNet.Imaging;
using Microsoft.ML.OnnxRuntime;

namespace Detr.MLNet.Scoring;

/// <summary>Options of <see cref="DetrScoringEstimator"/>: the model, the columns, DETR pre/post-processing and the runtime.</summary>
public sealed class DetrScoringOptions
{
    /// <summary>Path of the DETR ONNX model (either this or <see cref="ModelBytes"/>).</summary>
    public string? ModelPath { get; set; }

    /// <summary>The ONNX model itself, for models held in memory.</summary>
    public byte[]? ModelBytes { get; set; }

    /// <summary>Input column of type <c>MLImage</c> (from <c>LoadImages</c>).</summary>
    public string ImageColumnName { get; set; } = DetrColumnNames.Image;

    /// <summary>Output column: vector of key, one class per detection, class names as key values.</summary>
    public string PredictedLabelColumnName { get; set; } = DetrColumnNames.PredictedLabel;

    /// <summary>Output column: one score per detection.</summary>
    public string ScoreColumnName { get; set; } = DetrColumnNames.Score;

    /// <summary>Output column: x0,y0,x1,y1 per detection, in pixels of the original image.</summary>
    public string PredictedBoundingBoxesColumnName { get; set; } = DetrColumnNames.PredictedBoundingBoxes;

    /// <summary>Target of the short side when resizing (the reference's 800); null takes the model's metadata or 800.</summary>
    public int? ShortestEdge { get; set; }

    /// <summary>Cap on the long side when resizing (the reference's 1333); null takes the model's metadata or 1333.</summary>
    public int? LongestEdge { get; set; }

    /// <summary>Keep detections whose score is above this (0.5 as transformers' post-processing; 0 keeps every query, as mAP needs).</summary>
    public float ScoreThreshold { get; set; } = 0.5f;

    /// <summary>
    /// Keep at most this many detections per image, best first; null keeps all above the threshold (softmax models) or
    /// the reference's top 100 (sigmoid top-k models, whose k this sets).
    /// </summary>
    public int? MaxDetections { get; set; }

    /// <summary>
    /// How the logits become detections: DETR's softmax or Deformable DETR's sigmoid top-k; <see cref="DetrPostprocessing.Auto"/>
    /// reads the model's metadata, else its logits' width.
    /// </summary>
    public DetrPostprocessing Postprocessing { get; set; } = DetrPostprocessing.Auto;

    /// <summary>
    /// Rows scored together in one ONNX Runtime call. Images are zero-padded to the largest in the batch with a pixel
    /// mask, as the reference batches them; like the reference, an image whose resized size is not a multiple of the
    /// backbone stride can score marginally differently padded than alone.
    /// </summary>
    public int BatchSize { get; set; } = 4;

    /// <summary>Class names, index = class id; null reads the model metadata, a sidecar labels file, or COCO's names.</summary>
    public IReadOnlyList<string>? LabelNames { get; set; }

    /// <summary>Input/output naming of the model; <see cref="DetrOnnxLayout.Auto"/> detects it.</summary>
    public DetrOnnxLayout Layout { get; set; } = DetrOnnxLayout.Auto;

    /// <summary>Overrides the detected image input name.</summary>
    public string? ImageInputName { get; set; }

    /// <summary>Overrides the detected pixel-mask input name.</summary>
    public string? MaskInputName { get; set; }

    /// <summary>Overrides the detected class-logits output name.</summary>
    public string? LogitsOutputName { get; set; }

    /// <summary>Overrides the detected box output name.</summary>
    public string? BoxesOutputName { get; set; }

    /// <summary>Threads ONNX Runtime uses inside one operator; null lets it decide.</summary>
    public int? IntraOpThreads { get; set; }

    /// <summary>ONNX Runtime graph optimisation level.</summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>
    /// Execution provider; CUDA and TensorRT need the GPU build of ONNX Runtime in the application (the Detr.MLNet.Gpu
    /// package). On either, batches run through an <c>OrtIoBinding</c> with inputs staged in page-locked host memory.
    /// </summary>
    public DetrExecutionDevice Device { get; set; } = DetrExecutionDevice.Cpu;

    /// <summary>GPU ordinal when <see cref="Device"/> is CUDA or TensorRT.</summary>
    public int GpuDeviceId { get; set; }

    /// <summary>
    /// When <see cref="Device"/> is CUDA or TensorRT and no GPU provider can be used (ONNX Runtime's CPU build in the
    /// application, no GPU, missing CUDA libraries): true scores on the CPU with a warning, false fails with the reason.
    /// TensorRT that cannot start while CUDA can falls back to CUDA with a warning either way.
    /// </summary>
    public bool CpuFallback { get; set; } = true;

    /// <summary>
    /// With <see cref="DetrExecutionDevice.TensorRt"/>: a folder where TensorRT keeps the engines it builds (once per
    /// model, GPU and input shape, which can take minutes) and its timing cache, so later sessions load them instead of
    /// building again; created if missing. Null builds the engines anew in every session.
    /// </summary>
    public string? TensorRtEngineCacheFolder { get; set; }

    /// <summary>Give a row whose image is missing or unreadable empty predictions (and a warning) instead of failing.</summary>
    public bool SkipUnreadableImages { get; set; }

    /// <summary>
    /// Told of each row <see cref="SkipUnreadableImages"/> scored as empty, as the cursor reaches it (before the row's
    /// predictions are read), so a caller can report which images failed and why. Not saved with the model.
    /// </summary>
    public Action<DetrUnreadableImage>? OnUnreadableImage { get; set; }

    /// <summary>
    /// Refuse an image whose file header claims more pixels than this, before it is decoded (default: Pillow's
    /// <c>MAX_IMAGE_PIXELS</c>, <see cref="ImageFileGuard.DefaultMaxPixels"/>); null lifts the limit. Checked where
    /// the input has an <c>ImagePath</c> column naming the file; see <see cref="ImageFileGuard"/>.
    /// </summary>
    public long? MaxImagePixels { get; set; } = ImageFileGuard.DefaultMaxPixels;

    /// <summary>A shallow copy, so an estimator's later edits never reach a fitted transformer.</summary>
    public DetrScoringOptions Clone() => (DetrScoringOptions)MemberwiseClone();
}
