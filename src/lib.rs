//! batchsim (work in progress)
