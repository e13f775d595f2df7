namespace Detr.MLNet.Evaluation;

/// <summary>
/// Ground truth and detections bucketed once into evaluation units — one (category, image) pair, or one image when
/// categories are pooled — each unit a contiguous slice of a flat array, so the hot loops never search or allocate.
/// Units are laid out category-major and images in ascending id order, which is the order pycocotools concatenates
/// per-image results in; that order decides how equal scores from different images rank.
/// </summary>
internal sealed class GroupedAnnotations
{
    private GroupedAnnotations(
        int imageCount,
        int categoryCount,
        CocoGroundTruthBox[] groundTruth,
        int[] groundTruthStart,
        CocoDetection[] detections,
        int[] detectionStart)
    {
        ImageCount = imageCount;
        CategoryCount = categoryCount;
        GroundTruth = groundTruth;
        GroundTruthStart = groundTruthStart;
        Detections = detections;
        DetectionStart = detectionStart;
    }

    /// <summary>Number of evaluated images I; each category owns I consecutive units.</summary>
    public int ImageCount { get; }

    /// <summary>Number of evaluated categories K (1 when categories are pooled).</summary>
    public int CategoryCount { get; }

    /// <summary>Ground truth ordered by unit; inside a unit, in input order (pycocotools keeps file order).</summary>
    public CocoGroundTruthBox[] GroundTruth { get; }

    /// <summary>Unit u's ground truth is <c>GroundTruth[GroundTruthStart[u]..GroundTruthStart[u + 1]]</c>.</summary>
    public int[] GroundTruthStart { get; }

    /// <summary>Detections ordered by unit; inside a unit by descending score (stable) and cut to the largest cap.</summary>
    public CocoDetection[] Detections { get; }

    /// <summary>Unit u's detections are <c>Detections[DetectionStart[u]..DetectionStart[u + 1]]</c>.</summary>
    public int[] DetectionStart { get; }

    /// <summary>
    /// Buckets the inputs. Boxes on images or categories not being evaluated are dropped, as pycocotools' getAnnIds
    /// filters them. With pooled categories a unit lists its boxes category by category in ascending id order, then in
    /// input order, matching pycocotools' <c>useCats=0</c> gathering.
    /// </summary>
    public static GroupedAnnotations Build(
        IReadOnlyList<CocoGroundTruthBox> groundTruth,
        IReadOnlyList<CocoDetection> detections,
        int[] sortedImageIds,
        int[] sortedCategoryIds,
        bool useCategories,
        int maxDetectionsPerUnit)
    {
        var layout = new UnitLayout(sortedImageIds, sortedCategoryIds, useCategories);

        var gtKeys = new int[groundTruth.Count];
        for (int i = 0; i < gtKeys.Length; i++)
        {
            gtKeys[i] = layout.KeyOf(groundTruth[i].ImageId, groundTruth[i].CategoryId);
        }

        var (gtOrder, gtKeyStart) = CountingSort(gtKeys, layout.KeyCount);
        var sortedGroundTruth = new CocoGroundTruthBox[gtOrder.Length];
        for (int i = 0; i < gtOrder.Length; i++)
        {
            sortedGroundTruth[i] = groundTruth[gtOrder[i]];
        }

        var dtKeys = new int[detections.Count];
        for (int i = 0; i < dtKeys.Length; i++)
        {
            dtKeys[i] = layout.KeyOf(detections[i].ImageId, detections[i].CategoryId);
        }

        var (dtOrder, dtKeyStart) = CountingSort(dtKeys, layout.KeyCount);

        int unitCount = layout.UnitCount;
        var groundTruthStart = new int[unitCount + 1];
        var detectionStart = new int[unitCount + 1];
        var kept = new List<CocoDetection>((int)Math.Min(dtOrder.Length, (long)unitCount * maxDetectionsPerUnit));
        var scratch = new List<ScoredPosition>();
        for (int unit = 0; unit < unitCount; unit++)
        {
            int firstKey = unit * layout.KeysPerUnit;
            int endKey = firstKey + layout.KeysPerUnit;
            groundTruthStart[unit] = gtKeyStart[firstKey];
            detectionStart[unit] = kept.Count;

            int begin = dtKeyStart[firstKey];
            int end = dtKeyStart[endKey];
            scratch.Clear();
            for (int j = begin; j < end; j++)
            {
                scratch.Add(new ScoredPosition(detections[dtOrder[j]].Score, j - begin));
            }

            // Positions are offsets in the bucketed slice, which is input order (or, with pooled categories,
            // category by category then input order), so ties keep exactly the order pycocotools sees.
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(scratch);
            DescendingScoreOrder.Sort(span);
            int keep = Math.Min(span.Length, maxDetectionsPerUnit);
            for (int j = 0; j < keep; j++)
            {
                kept.Add(detections[dtOrder[begin + span[j].Position]]);
            }
        }

        groundTruthStart[unitCount] = gtKeyStart[layout.KeyCount];
        detectionStart[unitCount] = kept.Count;
        return new GroupedAnnotations(
            layout.ImageCount,
            layout.CategoryCount,
            sortedGroundTruth,
            groundTruthStart,
            kept.ToArray(),
            detectionStart);
    }

    /// <summary>Stable counting sort of item indices by key; key -1 drops the item. Returns order and key starts.</summary>
    private static (int[] Order, int[] KeyStart) CountingSort(int[] keys, int keyCount)
    {
        var keyStart = new int[keyCount + 1];
        int keptCount = 0;
        foreach (int key in keys)
        {
            if (key >= 0)
            {
                keyStart[key + 1]++;
                keptCount++;
            }
        }

        for (int k = 0; k < keyCount; k++)
        {
            keyStart[k + 1] += keyStart[k];
        }

        var order = new int[keptCount];
        var next = (int[])keyStart.Clone();
        for (int i = 0; i < keys.Length; i++)
        {
            if (keys[i] >= 0)
            {
                order[next[keys[i]]++] = i;
            }
        }

        return (order, keyStart);
    }

    /// <summary>Maps (image id, category id) to a bucket key whose ranges of <see cref="KeysPerUnit"/> form the units.</summary>
    private sealed class UnitLayout
    {
        private readonly Dictionary<int, int> _imageIndex;
        private readonly Dictionary<int, int> _categoryIndex;
        private readonly bool _useCategories;

        public UnitLayout(int[] sortedImageIds, int[] sortedCategoryIds, bool useCategories)
        {
            _imageIndex = IndexOf(sortedImageIds);
            _categoryIndex = IndexOf(sortedCategoryIds);
            _useCategories = useCategories;
            ImageCount = sortedImageIds.Length;
            CategoryCount = useCategories ? sortedCategoryIds.Length : 1;
            KeysPerUnit = useCategories ? 1 : sortedCategoryIds.Length;
            UnitCount = useCategories ? checked(sortedCategoryIds.Length * ImageCount) : ImageCount;
            KeyCount = checked(sortedCategoryIds.Length * ImageCount);
        }

        public int ImageCount { get; }

        public int CategoryCount { get; }

        public int KeysPerUnit { get; }

        public int UnitCount { get; }

        public int KeyCount { get; }

        public int KeyOf(int imageId, int categoryId)
        {
            if (!_imageIndex.TryGetValue(imageId, out int image) || !_categoryIndex.TryGetValue(categoryId, out int category))
            {
                return -1;
            }

            // Category-major when categories are kept apart (a category's images are then adjacent); image-major when
            // pooled (an image's categories are adjacent and form one unit).
            return _useCategories ? category * ImageCount + image : image * KeysPerUnit + category;
        }

        private static Dictionary<int, int> IndexOf(int[] ids)
        {
            var index = new Dictionary<int, int>(ids.Length);
            for (int i = 0; i < ids.Length; i++)
            {
                index[ids[i]] = i;
            }

            return index;
        }
    }
}
