const express = require('express');
const cors = require('cors');

const app = express();

app.use(cors({
  origin: 'https://app.example.com',
  allowedHeaders: ['Authorization', 'X-Requested-With'], // expect: CORS302
}));

app.route('/api/tasks')
  .get((req, res) => res.json([]))
  .put((req, res) => res.sendStatus(204));

app.listen(3000);
