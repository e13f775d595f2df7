using System.Runtime.InteropServices;

namespace Detr.MLNet.Evaluation;

/// <summary>
/// COCO bbox evaluation that reproduces pycocotools' <c>COCOeval</c> (evaluate, accumulate, summarize) number for
/// number, in memory and without I/O. Categories are evaluated in parallel; results do not depend on threading.
/// </summary>
public sealed class CocoEvaluator
{
    private readonly CocoEvaluationOptions _options;

    /// <summary>Creates an evaluator; <paramref name="options"/> defaults to pycocotools' bbox parameters.</summary>
    public CocoEvaluator(CocoEvaluationOptions? options = null)
    {
        _options = options ?? CocoEvaluationOptions.Default;
        _options.Validate();
    }

    /// <summary>The parameters in use.</summary>
    public CocoEvaluationOptions Options => _options;

    /// <summary>Evaluates detections against ground truth.</summary>
    /// <param name="groundTruth">Ground-truth boxes, in file order (the order decides IoU ties).</param>
    /// <param name="detections">Detections, in file order (the order decides score ties).</param>
    /// <param name="imageIds">
    /// The dataset's images (pycocotools' GT <c>images</c> list), including images without annotations; null means
    /// every image id seen in <paramref name="groundTruth"/> or <paramref name="detections"/>.
    /// </param>
    /// <param name="categoryIds">
    /// The dataset's categories, including ones without annotations (they score -1); null means every category id
    /// seen in <paramref name="groundTruth"/>.
    /// </param>
    /// <exception cref="ArgumentException">A detection is on an image that is neither listed nor has ground truth.</exception>
    public CocoMetrics Evaluate(
        IReadOnlyList<CocoGroundTruthBox> groundTruth,
        IReadOnlyList<CocoDetection> detections,
        IReadOnlyList<int>? imageIds = null,
        IReadOnlyList<int>? categoryIds = null)
    {
        ArgumentNullException.ThrowIfNull(groundTruth);
        ArgumentNullException.ThrowIfNull(detections);
        ReadOnlySpan<CocoGroundTruthBox> truth = SpanOf(groundTruth);
        ReadOnlySpan<CocoDetection> results = SpanOf(detections);
        int[] images = imageIds is null ? SortedDistinctImageIds(truth, results) : SortedDistinct(imageIds);
        int[] categories = categoryIds is null ? SortedDistinctCategoryIds(truth) : SortedDistinct(categoryIds);

        // An explicit image list plays the part of the ground-truth file's images: a detection on an image that is
        // neither listed nor annotated cannot belong to the dataset (pycocotools' loadRes asserts the same).
        HashSet<int>? annotatedImages = null;
        Action<int, int>? unknownImage = imageIds is null ? null : (index, imageId) =>
        {
            annotatedImages ??= [.. groundTruth.Select(box => box.ImageId)];
            if (!annotatedImages.Contains(imageId))
            {
                throw new ArgumentException(
                    $"Detection {index} is on image id {imageId}, which is neither in the image ids given nor in the ground truth.",
                    nameof(detections));
            }
        };
        return Evaluate(truth, results, images, categories, unknownImage);
    }

    /// <summary>
    /// Reads a COCO ground-truth file and a results file (see <see cref="CocoJsonFiles"/>) and evaluates them over the
    /// ground truth's images and categories, as <c>COCOeval(coco, coco.loadRes(results), 'bbox')</c> does.
    /// </summary>
    /// <exception cref="InvalidDataException">Either file is malformed.</exception>
    /// <exception cref="ArgumentException">A result is on an image the ground truth does not list.</exception>
    public CocoMetrics EvaluateFiles(string groundTruthJsonPath, string resultsJsonPath) =>
        EvaluateFiles(groundTruthJsonPath, resultsJsonPath, out _);

    /// <summary>
    /// <see cref="EvaluateFiles(string, string)"/>, also handing back the ground truth as read (its category names, for
    /// a report), so that the file is not read twice. The two files are read at the same time when there are cores to
    /// (and <see cref="CocoEvaluationOptions.MaxDegreeOfParallelism"/> is not 1).
    /// </summary>
    /// <exception cref="InvalidDataException">Either file is malformed.</exception>
    /// <exception cref="ArgumentException">A result is on an image the ground truth does not list.</exception>
    public CocoMetrics EvaluateFiles(string groundTruthJsonPath, string resultsJsonPath, out CocoGroundTruthFile groundTruth)
    {
        bool concurrently = Environment.ProcessorCount > 1 && _options.MaxDegreeOfParallelism is null or > 1;
        var (file, results) = CocoJsonFiles.ReadBoth(groundTruthJsonPath, resultsJsonPath, concurrently);
        groundTruth = file;

        // loadRes asserts that results only name images of the ground-truth file's images list.
        void UnknownImage(int index, int imageId) => throw new ArgumentException(
            $"Result {index} in '{resultsJsonPath}' has image_id {imageId}, which is not in the images of '{groundTruthJsonPath}'.",
            nameof(resultsJsonPath));
        return Evaluate(SpanOf(file.Boxes), CollectionsMarshal.AsSpan(results), SortedDistinct(file.ImageIds), SortedDistinct(file.CategoryIds), UnknownImage);
    }

    private CocoMetrics Evaluate(
        ReadOnlySpan<CocoGroundTruthBox> groundTruth,
        ReadOnlySpan<CocoDetection> detections,
        int[] images,
        int[] categories,
        Action<int, int>? unknownImage)
    {
        int[] caps = _options.Validate();
        bool useCategories = _options.UseCategories;
        var grouped = GroupedAnnotations.Build(groundTruth, detections, images, categories, useCategories, unknownImage);
        var arrays = new EvaluationArrays(
            _options.IouThresholds.Count, _options.RecallThresholds.Count, grouped.CategoryCount, _options.AreaRanges.Count, caps.Length);
        var settings = new CategorySettings(
            ImageCategoryMatcher.UsableThresholds(_options.IouThresholds),
            _options.AreaRanges.ToArray(),
            _options.RecallThresholds.ToArray(),
            caps);

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism ?? -1 };
        Parallel.For(
            0,
            grouped.CategoryCount,
            parallel,
            () => new EvaluationWorkspace(),
            (k, _, workspace) =>
            {
                EvaluateCategory(grouped, k, settings, arrays, workspace);
                return workspace;
            },
            _ => { });

        SummaryStat[] definitions = CocoSummary.Definitions(caps);
        var stats = new double[definitions.Length];
        for (int i = 0; i < stats.Length; i++)
        {
            stats[i] = CocoSummary.Compute(definitions[i], arrays, _options.IouThresholds, _options.AreaRanges, caps);
        }

        IReadOnlyList<int> axisCategories = useCategories ? Array.AsReadOnly(categories) : Array.AsReadOnly(new[] { -1 });
        return new CocoMetrics(arrays, definitions, stats, Array.AsReadOnly(images), axisCategories, _options, caps);
    }

    private static void EvaluateCategory(GroupedAnnotations grouped, int k, CategorySettings settings, EvaluationArrays arrays, EvaluationWorkspace workspace)
    {
        var ranking = CategoryRanking.Build(grouped, k, settings.Caps, workspace);
        int firstUnit = k * grouped.ImageCount;
        int begin = grouped.DetectionStart[firstUnit];
        int areaCount = settings.AreaRanges.Length;
        int thresholdCount = settings.IouThresholds.Length;
        Span<byte> outcomes = workspace.Outcomes(areaCount * thresholdCount * ranking.Count);
        Span<int> counted = areaCount <= 64 ? stackalloc int[areaCount] : new int[areaCount];
        counted.Clear();
        int largestCap = settings.Caps[^1];
        ReadOnlySpan<CocoDetection> detections = grouped.Detections.AsSpan(begin, grouped.DetectionStart[firstUnit + grouped.ImageCount] - begin);

        ImageCategoryMatcher.FillUnmatched(ranking.Areas, settings.AreaRanges, thresholdCount, outcomes);
        for (int unit = firstUnit; unit < firstUnit + grouped.ImageCount; unit++)
        {
            int gtBegin = grouped.GroundTruthStart[unit];
            int gtEnd = grouped.GroundTruthStart[unit + 1];
            if (gtBegin == gtEnd)
            {
                continue; // nothing to match: FillUnmatched wrote its detections' outcomes
            }

            int dtBegin = grouped.DetectionStart[unit] - begin;
            int dtCount = Math.Min(grouped.DetectionStart[unit + 1] - begin - dtBegin, largestCap);

            ImageCategoryMatcher.Match(
                detections,
                ranking.UnitOrder.Slice(dtBegin, dtCount),
                ranking.RankOf,
                grouped.GroundTruth.AsSpan(gtBegin, gtEnd - gtBegin),
                settings.IouThresholds,
                settings.AreaRanges,
                outcomes,
                ranking.Count,
                counted,
                workspace);
        }

        PrecisionRecallAccumulator.Accumulate(
            ranking, k, outcomes, counted, thresholdCount, settings.RecallThresholds, settings.Caps, arrays, workspace);
    }

    /// <summary>The elements of a list as a span: arrays and lists as they are, other lists copied once.</summary>
    private static ReadOnlySpan<T> SpanOf<T>(IReadOnlyList<T> items) => items switch
    {
        T[] array => array,
        List<T> list => CollectionsMarshal.AsSpan(list),
        _ => ArrayOf(items),
    };

    private static T[] ArrayOf<T>(IReadOnlyList<T> items)
    {
        var copy = new T[items.Count];
        for (int i = 0; i < copy.Length; i++)
        {
            copy[i] = items[i];
        }

        return copy;
    }

    private static int[] SortedDistinctImageIds(ReadOnlySpan<CocoGroundTruthBox> groundTruth, ReadOnlySpan<CocoDetection> detections)
    {
        var ids = new HashSet<int>();
        foreach (CocoGroundTruthBox box in groundTruth)
        {
            ids.Add(box.ImageId);
        }

        foreach (CocoDetection detection in detections)
        {
            ids.Add(detection.ImageId);
        }

        return Sorted(ids);
    }

    private static int[] SortedDistinctCategoryIds(ReadOnlySpan<CocoGroundTruthBox> groundTruth)
    {
        var ids = new HashSet<int>();
        foreach (CocoGroundTruthBox box in groundTruth)
        {
            ids.Add(box.CategoryId);
        }

        return Sorted(ids);
    }

    private static int[] SortedDistinct(IReadOnlyList<int> ids) => Sorted(new HashSet<int>(ids));

    private static int[] Sorted(HashSet<int> ids)
    {
        var sorted = ids.ToArray();
        Array.Sort(sorted);
        return sorted;
    }

    /// <summary>The options as arrays, shared by every category's work.</summary>
    private sealed record CategorySettings(double[] IouThresholds, CocoAreaRange[] AreaRanges, double[] RecallThresholds, int[] Caps);
}
