// The origin callback never says no: every origin is reflected.
const express = require('express');
const cors = require('cors');

const app = express();

app.use(cors({
  origin: (origin, callback) => callback(null, true), // expect: CORS203
}));

app.get('/api/catalog', (req, res) => res.json([]));

app.listen(3000);
