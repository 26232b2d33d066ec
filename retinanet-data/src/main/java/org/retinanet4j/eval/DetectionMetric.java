package org.retinanet4j.eval;

import org.nd4j.evaluation.IEvaluation;
import org.nd4j.evaluation.IMetric;

/**
 * The values {@link DetectionEvaluation#getValue(IMetric)} answers: the 12 COCO statistics and the Pascal VOC
 * mAP at IoU 0.5 in both definitions. All are maximised.
 */
public enum DetectionMetric implements IMetric {
    AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl,
    /** Pascal VOC mAP, 11-point (VOC2007). */
    VOC_MAP_11_POINT,
    /** Pascal VOC mAP, all-point (VOC2010+). */
    VOC_MAP_ALL_POINT;

    @Override
    public Class<? extends IEvaluation> getEvaluationClass() {
        return DetectionEvaluation.class;
    }

    @Override
    public boolean minimize() {
        return false;
    }
}
