namespace Detr.MLNet.Evaluation;

/// <summary>
/// COCO bbox evaluation reproducing pycocotools' <c>COCOeval</c> (evaluate, accumulate, summarize) step for step:
/// greedy matching in stable score order per image and category, crowd handling, area ranges, 101-point interpolated
/// precision and −1 for categories without ground truth. Categories are evaluated in parallel; results do not depend on it.
/// </summary>
public sealed class CocoEvaluator(CocoEvaluationOptions? options = null)
{
    readonly CocoEvaluationOptions _options = options ?? new CocoEvaluationOptions();

    /// <summary>Evaluates a COCO results file against a COCO ground-truth file, as pycocotools' COCO + loadRes + COCOeval.</summary>
    public CocoMetrics EvaluateFiles(string groundTruthJsonPath, string resultsJsonPath)
    {
        var file = Data.CocoFileReader.Read(groundTruthJsonPath);
        var images = (file.Images ?? throw new InvalidDataException($"{groundTruthJsonPath}: no 'images' array."))
            .Select((image, i) => image.Id ?? throw new InvalidDataException($"{groundTruthJsonPath}: images[{i}] has no 'id'.")).ToArray();
        var categories = (file.Categories ?? []).Select((c, i) => c.Id ?? throw new InvalidDataException($"{groundTruthJsonPath}: categories[{i}] has no 'id'.")).ToArray();
        var groundTruth = (file.Annotations ?? []).Select((a, i) =>
        {
            if (a.ImageId is not int image || a.CategoryId is not int category || a.Bbox is not { Length: 4 } b)
                throw new InvalidDataException($"{groundTruthJsonPath}: annotations[{i}] needs 'image_id', 'category_id' and a 4-number 'bbox'.");
            return new CocoGroundTruthBox(image, category, b[0], b[1], b[2], b[3], a.Area ?? b[2] * b[3], a.IsCrowd == 1, a.Id ?? 0);
        }).ToArray();
        var detections = Data.CocoDatasetWriter.ReadResults(resultsJsonPath).Select((r, i) => r.Bbox is { Length: 4 } b
            ? new CocoDetection(r.ImageId, r.CategoryId, b[0], b[1], b[2], b[3], r.Score)
            : throw new InvalidDataException($"{resultsJsonPath}: result [{i}] needs a 4-number 'bbox'.")).ToArray();
        return Evaluate(groundTruth, detections, images, categories.Length > 0 ? categories : null);
    }

    /// <summary>
    /// Evaluates <paramref name="detections"/> against <paramref name="groundTruth"/>. <paramref name="imageIds"/> defaults to
    /// every image id seen in either; <paramref name="categoryIds"/> to those of the ground truth (pass the file's
    /// category list to include categories without annotations). Ground-truth ids of 0 are replaced by their 1-based position,
    /// as pycocotools needs non-zero ids.
    /// </summary>
    public CocoMetrics Evaluate(IReadOnlyList<CocoGroundTruthBox> groundTruth, IReadOnlyList<CocoDetection> detections,
        IReadOnlyList<int>? imageIds = null, IReadOnlyList<int>? categoryIds = null)
    {
        var images = (imageIds ?? groundTruth.Select(g => g.ImageId).Concat(detections.Select(d => d.ImageId))).Distinct().Order().ToArray();
        var categories = (categoryIds ?? groundTruth.Select(g => g.CategoryId)).Distinct().Order().ToArray();
        var imageIndex = images.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        var categoryIndex = categories.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        foreach (var d in detections)
            if (!imageIndex.ContainsKey(d.ImageId))
                throw new ArgumentException($"Detection for image id {d.ImageId}, which is not among the evaluated images (pycocotools refuses such results).");

        var gtByCell = Group(groundTruth.Select((g, i) => g with { Id = g.Id != 0 ? g.Id : i + 1 }), g => (g.ImageId, g.CategoryId), categoryIndex, imageIndex);
        var dtByCell = Group(detections, d => (d.ImageId, d.CategoryId), categoryIndex, imageIndex);

        int T = _options.IouThresholds.Count, R = _options.RecallThresholds.Count, K = categories.Length, A = _options.AreaRanges.Count, M = _options.MaxDetections.Count;
        var precision = Filled5(T, R, K, A, M);
        var scores = Filled5(T, R, K, A, M);
        var recall = new double[T, K, A, M];
        if (recall.Length > 0)
            foreach (ref var value in System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref recall[0, 0, 0, 0], recall.Length))
                value = -1;

        Parallel.For(0, K, k =>
        {
            var perImage = new ImageEvaluation?[A, images.Length];
            for (int i = 0; i < images.Length; i++)
            {
                var gts = gtByCell.GetValueOrDefault((k, i)) ?? [];
                var dts = dtByCell.GetValueOrDefault((k, i)) ?? [];
                if (gts.Count == 0 && dts.Count == 0)
                    continue;
                var sortedDts = StableByScore(dts).Take(_options.MaxDetections[^1]).ToArray();
                var ious = Ious(sortedDts, gts);
                for (int a = 0; a < A; a++)
                    perImage[a, i] = EvaluateImage(gts, sortedDts, ious, _options.AreaRanges[a]);
            }
            for (int a = 0; a < A; a++)
                for (int m = 0; m < M; m++)
                    Accumulate(perImage, a, _options.MaxDetections[m], k, m, precision, recall, scores, images.Length);
        });

        var stats = Summarize(precision, recall);
        var perCategory = new Dictionary<int, double>();
        int all = AreaIndex("all"), hundred = MaxDetIndex(100);
        for (int k = 0; k < K; k++)
            perCategory[categories[k]] = MeanValid(Slice(precision, null, k, all, hundred));
        return new CocoMetrics(stats, perCategory, precision, recall, scores, _options, categories);
    }

    sealed record ImageEvaluation(double[] DtScores, long[,] DtMatches, bool[,] DtIgnore, bool[] GtIgnore);

    static Dictionary<(int K, int I), List<T>> Group<T>(IEnumerable<T> items, Func<T, (int Image, int Category)> key,
        Dictionary<int, int> categoryIndex, Dictionary<int, int> imageIndex)
    {
        var cells = new Dictionary<(int, int), List<T>>();
        foreach (var item in items)
        {
            var (image, category) = key(item);
            if (!categoryIndex.TryGetValue(category, out int k) || !imageIndex.TryGetValue(image, out int i))
                continue; // pycocotools only loads annotations of the evaluated images and categories
            if (!cells.TryGetValue((k, i), out var list))
                cells[(k, i)] = list = [];
            list.Add(item);
        }
        return cells;
    }

    // numpy argsort(-score, kind="mergesort"): descending, ties in input order. LINQ's OrderBy is stable.
    static IEnumerable<CocoDetection> StableByScore(IEnumerable<CocoDetection> detections) => detections.OrderByDescending(d => d.Score);

    static double[,] Ious(CocoDetection[] dts, List<CocoGroundTruthBox> gts)
    {
        var ious = new double[dts.Length, gts.Count];
        for (int d = 0; d < dts.Length; d++)
            for (int g = 0; g < gts.Count; g++)
                ious[d, g] = CocoBoxIou.Compute(dts[d].X, dts[d].Y, dts[d].Width, dts[d].Height,
                    gts[g].X, gts[g].Y, gts[g].Width, gts[g].Height, gts[g].IsCrowd);
        return ious;
    }

    ImageEvaluation EvaluateImage(List<CocoGroundTruthBox> gtsInOrder, CocoDetection[] dts, double[,] iousInOrder, (string Name, double Min, double Max) area)
    {
        // Ground truth outside the area range (or crowd) is "ignore"; ignored ones go last, stably.
        var ignore = gtsInOrder.Select(g => g.IsCrowd || g.Area < area.Min || g.Area > area.Max).ToArray();
        var gtOrder = Enumerable.Range(0, gtsInOrder.Count).OrderBy(i => ignore[i] ? 1 : 0).ToArray();
        var gts = gtOrder.Select(i => gtsInOrder[i]).ToArray();
        var gtIgnore = gtOrder.Select(i => ignore[i]).ToArray();
        int T = _options.IouThresholds.Count, G = gts.Length, D = dts.Length;
        var gtMatches = new long[T, G];
        var dtMatches = new long[T, D];
        var dtIgnore = new bool[T, D];
        if (D > 0 && G > 0)
        {
            for (int t = 0; t < T; t++)
            {
                for (int d = 0; d < D; d++)
                {
                    double best = Math.Min(_options.IouThresholds[t], 1 - 1e-10);
                    int match = -1;
                    for (int g = 0; g < G; g++)
                    {
                        if (gtMatches[t, g] > 0 && !gts[g].IsCrowd)
                            continue;
                        if (match > -1 && !gtIgnore[match] && gtIgnore[g])
                            break;
                        double iou = iousInOrder[d, gtOrder[g]];
                        if (iou < best)
                            continue;
                        best = iou;
                        match = g;
                    }
                    if (match == -1)
                        continue;
                    dtIgnore[t, d] = gtIgnore[match];
                    dtMatches[t, d] = gts[match].Id;
                    gtMatches[t, match] = d + 1; // any non-zero detection id
                }
            }
        }
        // Unmatched detections outside the area range are ignored too.
        for (int d = 0; d < D; d++)
        {
            double dtArea = dts[d].Width * dts[d].Height;
            bool outside = dtArea < area.Min || dtArea > area.Max;
            for (int t = 0; t < T; t++)
                dtIgnore[t, d] |= dtMatches[t, d] == 0 && outside;
        }
        return new ImageEvaluation(dts.Select(d => d.Score).ToArray(), dtMatches, dtIgnore, gtIgnore);
    }

    void Accumulate(ImageEvaluation?[,] perImage, int a, int maxDet, int k, int m,
        double[,,,,] precision, double[,,,] recall, double[,,,,] scores, int imageCount)
    {
        var evaluations = Enumerable.Range(0, imageCount).Select(i => perImage[a, i]).Where(e => e is not null).Cast<ImageEvaluation>().ToArray();
        if (evaluations.Length == 0)
            return;
        var entries = new List<(double Score, int Image, int Det)>();
        for (int e = 0; e < evaluations.Length; e++)
            for (int d = 0; d < Math.Min(maxDet, evaluations[e].DtScores.Length); d++)
                entries.Add((evaluations[e].DtScores[d], e, d));
        var order = entries.OrderByDescending(x => x.Score).ToArray(); // stable, as numpy's mergesort
        int positives = evaluations.Sum(e => e.GtIgnore.Count(ignored => !ignored));
        if (positives == 0)
            return;
        int T = _options.IouThresholds.Count, R = _options.RecallThresholds.Count, n = order.Length;
        var rc = new double[n];
        var pr = new double[n];
        for (int t = 0; t < T; t++)
        {
            double tp = 0, fp = 0;
            for (int j = 0; j < n; j++)
            {
                var (_, e, d) = order[j];
                bool ignored = evaluations[e].DtIgnore[t, d];
                bool matched = evaluations[e].DtMatches[t, d] != 0;
                if (matched && !ignored) tp++;
                else if (!matched && !ignored) fp++;
                rc[j] = tp / positives;
                pr[j] = tp / (fp + tp + Spacing1);
            }
            recall[t, k, a, m] = n > 0 ? rc[n - 1] : 0;
            for (int j = n - 1; j > 0; j--)
                if (pr[j] > pr[j - 1])
                    pr[j - 1] = pr[j];
            for (int r = 0; r < R; r++)
            {
                int index = SearchSortedLeft(rc, n, _options.RecallThresholds[r]);
                if (index >= n)
                {
                    // pycocotools stops at the first out-of-range point, leaving zeros from here on.
                    for (int rest = r; rest < R; rest++)
                        (precision[t, rest, k, a, m], scores[t, rest, k, a, m]) = (0, 0);
                    break;
                }
                precision[t, r, k, a, m] = pr[index];
                scores[t, r, k, a, m] = order[index].Score;
            }
        }
    }

    // np.spacing(1): the gap from 1.0 to the next double.
    const double Spacing1 = 2.220446049250313e-16;

    static int SearchSortedLeft(double[] sorted, int count, double value)
    {
        int low = 0, high = count;
        while (low < high)
        {
            int mid = (low + high) / 2;
            if (sorted[mid] < value) low = mid + 1; else high = mid;
        }
        return low;
    }

    double[] Summarize(double[,,,,] precision, double[,,,] recall)
    {
        int all = AreaIndex("all"), small = AreaIndex("small"), medium = AreaIndex("medium"), large = AreaIndex("large");
        int hundred = MaxDetIndex(100);
        double AP(int? iou, int area) => MeanValid(Slice(precision, iou, null, area, hundred));
        double AR(int area, int maxDet) => MeanValid(SliceRecall(recall, area, maxDet));
        int iou50 = IouIndex(0.5), iou75 = IouIndex(0.75);
        return
        [
            AP(null, all), AP(iou50, all), AP(iou75, all), AP(null, small), AP(null, medium), AP(null, large),
            AR(all, MaxDetIndex(1)), AR(all, MaxDetIndex(10)), AR(all, hundred), AR(small, hundred), AR(medium, hundred), AR(large, hundred),
        ];
    }

    IEnumerable<double> Slice(double[,,,,] precision, int? iou, int? category, int area, int maxDet)
    {
        for (int t = 0; t < precision.GetLength(0); t++)
            if (iou is null || iou == t)
                for (int r = 0; r < precision.GetLength(1); r++)
                    for (int k = 0; k < precision.GetLength(2); k++)
                        if (category is null || category == k)
                            yield return precision[t, r, k, area, maxDet];
    }

    static IEnumerable<double> SliceRecall(double[,,,] recall, int area, int maxDet)
    {
        for (int t = 0; t < recall.GetLength(0); t++)
            for (int k = 0; k < recall.GetLength(1); k++)
                yield return recall[t, k, area, maxDet];
    }

    static double MeanValid(IEnumerable<double> values)
    {
        double sum = 0;
        int count = 0;
        foreach (double v in values)
            if (v > -1)
            {
                sum += v;
                count++;
            }
        return count == 0 ? -1 : sum / count;
    }

    int AreaIndex(string name)
    {
        for (int a = 0; a < _options.AreaRanges.Count; a++)
            if (_options.AreaRanges[a].Name == name)
                return a;
        throw new InvalidOperationException($"No area range named '{name}'.");
    }

    int MaxDetIndex(int value)
    {
        for (int m = 0; m < _options.MaxDetections.Count; m++)
            if (_options.MaxDetections[m] == value)
                return m;
        throw new InvalidOperationException($"No max-detections setting {value}.");
    }

    int IouIndex(double value)
    {
        for (int t = 0; t < _options.IouThresholds.Count; t++)
            if (_options.IouThresholds[t] == value)
                return t;
        throw new InvalidOperationException($"No IoU threshold {value}.");
    }

    static double[,,,,] Filled5(int a, int b, int c, int d, int e)
    {
        var array = new double[a, b, c, d, e];
        if (array.Length > 0)
            foreach (ref var value in System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref array[0, 0, 0, 0, 0], array.Length))
                value = -1;
        return array;
    }
}
