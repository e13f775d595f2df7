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
        int[] caps = _options.Validate();

        int[] images = imageIds is null ? SortedDistinctImageIds(groundTruth, detections) : SortedDistinct(imageIds);
        if (imageIds is not null)
        {
            RejectDetectionsOnUnknownImages(groundTruth, detections, images);
        }

        int[] categories = categoryIds is null ? SortedDistinctCategoryIds(groundTruth) : SortedDistinct(categoryIds);
        bool useCategories = _options.UseCategories;

        var grouped = GroupedAnnotations.Build(groundTruth, detections, images, categories, useCategories, caps[^1]);
        int t = _options.IouThresholds.Count;
        int a = _options.AreaRanges.Count;
        var arrays = new EvaluationArrays(t, _options.RecallThresholds.Count, grouped.CategoryCount, a, caps.Length);

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism ?? -1 };
        Parallel.For(
            0,
            grouped.CategoryCount,
            parallel,
            () => new EvaluationWorkspace(),
            (k, _, workspace) =>
            {
                EvaluateCategory(grouped, k, caps, arrays, workspace);
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

    /// <summary>
    /// Reads a COCO ground-truth file and a results file (see <see cref="CocoJsonFiles"/>) and evaluates them over the
    /// ground truth's images and categories, as <c>COCOeval(coco, coco.loadRes(results), 'bbox')</c> does.
    /// </summary>
    /// <exception cref="InvalidDataException">Either file is malformed.</exception>
    /// <exception cref="ArgumentException">A result is on an image the ground truth does not list.</exception>
    public CocoMetrics EvaluateFiles(string groundTruthJsonPath, string resultsJsonPath)
    {
        CocoGroundTruthFile groundTruth = CocoJsonFiles.ReadGroundTruth(groundTruthJsonPath);
        IReadOnlyList<CocoDetection> results = CocoJsonFiles.ReadResults(resultsJsonPath);

        // loadRes asserts that results only name images of the ground-truth file's images list.
        var listed = new HashSet<int>(groundTruth.ImageIds);
        for (int i = 0; i < results.Count; i++)
        {
            if (!listed.Contains(results[i].ImageId))
            {
                throw new ArgumentException(
                    $"Result {i} in '{resultsJsonPath}' has image_id {results[i].ImageId}, which is not in the images of '{groundTruthJsonPath}'.",
                    nameof(resultsJsonPath));
            }
        }

        return Evaluate(groundTruth.Boxes, results, groundTruth.ImageIds, groundTruth.CategoryIds);
    }

    private void EvaluateCategory(GroupedAnnotations grouped, int k, int[] caps, EvaluationArrays arrays, EvaluationWorkspace workspace)
    {
        int firstUnit = k * grouped.ImageCount;
        int begin = grouped.DetectionStart[firstUnit];
        int count = grouped.DetectionStart[firstUnit + grouped.ImageCount] - begin;
        int areaCount = _options.AreaRanges.Count;
        Span<byte> outcomes = workspace.Outcomes(areaCount * _options.IouThresholds.Count * count);
        Span<int> counted = areaCount <= 64 ? stackalloc int[areaCount] : new int[areaCount];
        counted.Clear();

        for (int unit = firstUnit; unit < firstUnit + grouped.ImageCount; unit++)
        {
            int gtBegin = grouped.GroundTruthStart[unit];
            int gtEnd = grouped.GroundTruthStart[unit + 1];
            int dtBegin = grouped.DetectionStart[unit];
            int dtEnd = grouped.DetectionStart[unit + 1];
            if (gtBegin == gtEnd && dtBegin == dtEnd)
            {
                continue;
            }

            ImageCategoryMatcher.Match(
                grouped.Detections.AsSpan(dtBegin, dtEnd - dtBegin),
                grouped.GroundTruth.AsSpan(gtBegin, gtEnd - gtBegin),
                _options.IouThresholds,
                _options.AreaRanges,
                outcomes,
                dtBegin - begin,
                count,
                counted,
                workspace);
        }

        PrecisionRecallAccumulator.Accumulate(grouped, k, outcomes, counted, _options, caps, arrays, workspace);
    }

    /// <summary>
    /// An explicit image list plays the part of the ground-truth file's images: a detection on an image that is
    /// neither listed nor annotated cannot belong to the dataset (pycocotools' loadRes asserts the same).
    /// </summary>
    private static void RejectDetectionsOnUnknownImages(
        IReadOnlyList<CocoGroundTruthBox> groundTruth, IReadOnlyList<CocoDetection> detections, int[] images)
    {
        var known = new HashSet<int>(images);
        foreach (CocoGroundTruthBox box in groundTruth)
        {
            known.Add(box.ImageId);
        }

        for (int i = 0; i < detections.Count; i++)
        {
            if (!known.Contains(detections[i].ImageId))
            {
                throw new ArgumentException(
                    $"Detection {i} is on image id {detections[i].ImageId}, which is neither in the image ids given nor in the ground truth.",
                    nameof(detections));
            }
        }
    }

    private static int[] SortedDistinctImageIds(IReadOnlyList<CocoGroundTruthBox> groundTruth, IReadOnlyList<CocoDetection> detections)
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

    private static int[] SortedDistinctCategoryIds(IReadOnlyList<CocoGroundTruthBox> groundTruth)
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
}
