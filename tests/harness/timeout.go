package harness

import (
	"os"
	"strconv"
	"time"
)

// ScaleEnv is the environment variable that multiplies every deadline, for
// slow machines: WORKBOOK_TIMEOUT_SCALE=3 gives three times as long.
const ScaleEnv = "WORKBOOK_TIMEOUT_SCALE"

// Scaled returns d multiplied by the factor in ScaleEnv, or d when it is
// unset or not a positive number.
func Scaled(d time.Duration) time.Duration {
	f, err := strconv.ParseFloat(os.Getenv(ScaleEnv), 64)
	if err != nil || f <= 0 {
		return d
	}
	return time.Duration(float64(d) * f)
}
